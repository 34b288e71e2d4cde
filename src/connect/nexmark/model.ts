/**
 * The three Nexmark event kinds as rows (arrays in the field order of Flink's Nexmark DDL), so
 * the source can hand them to the engine as ROW values without converting.
 */

/** `event_type` values of the unified `datagen` table. */
export const EventType = { Person: 0, Auction: 1, Bid: 2 } as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

export const PERSON_FIELDS = ['id', 'name', 'emailAddress', 'creditCard', 'city', 'state', 'dateTime', 'extra'] as const;
export const AUCTION_FIELDS = ['id', 'itemName', 'description', 'initialBid', 'reserve', 'dateTime', 'expires', 'seller', 'category', 'extra'] as const;
export const BID_FIELDS = ['auction', 'bidder', 'price', 'channel', 'url', 'dateTime', 'extra'] as const;

/** [id, name, emailAddress, creditCard, city, state, dateTime, extra] */
export type PersonRow = [number, string, string, string, string, string, number, string];
/** [id, itemName, description, initialBid, reserve, dateTime, expires, seller, category, extra] */
export type AuctionRow = [number, string, string, number, number, number, number, number, number, string];
/** [auction, bidder, price, channel, url, dateTime, extra] */
export type BidRow = [number, number, number, string, string, number, string];

/** Field positions, for code that reads events (tests, expected results). */
export const P = { id: 0, name: 1, emailAddress: 2, creditCard: 3, city: 4, state: 5, dateTime: 6, extra: 7 } as const;
export const A = { id: 0, itemName: 1, description: 2, initialBid: 3, reserve: 4, dateTime: 5, expires: 6, seller: 7, category: 8, extra: 9 } as const;
export const B = { auction: 0, bidder: 1, price: 2, channel: 3, url: 4, dateTime: 5, extra: 6 } as const;

export interface NexmarkEvent {
  type: EventType;
  dateTime: number;
  person: PersonRow | null;
  auction: AuctionRow | null;
  bid: BidRow | null;
}
