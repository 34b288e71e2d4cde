/** All events of a bounded configuration as objects: for tests and expected-result checks. */
import type { NexmarkConfig } from './config.ts';
import { NexmarkGenerator } from './generator.ts';
import { EventType, type AuctionRow, type BidRow, type NexmarkEvent, type PersonRow } from './model.ts';

export function generateEvents(config: NexmarkConfig): NexmarkEvent[] {
  if (config.eventsNum === 0) throw new Error('generateEvents needs a bounded events.num');
  const generator = new NexmarkGenerator(config);
  const events: NexmarkEvent[] = [];
  while (generator.hasNext) {
    const data = generator.next();
    const type = generator.lastType;
    events.push({
      type,
      dateTime: generator.lastDateTime,
      person: type === EventType.Person ? (data as PersonRow) : null,
      auction: type === EventType.Auction ? (data as AuctionRow) : null,
      bid: type === EventType.Bid ? (data as BidRow) : null,
    });
  }
  return events;
}
