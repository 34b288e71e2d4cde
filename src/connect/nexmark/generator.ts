/**
 * The Nexmark event generator, following the reference (github.com/nexmark/nexmark,
 * nexmark-flink `NexmarkGenerator` and its Person/Auction/Bid generators) in what shapes the
 * workload:
 *
 * - Event n (0-based) is a person, an auction or a bid by `n mod (p + a + b)` against the
 *   proportions (1:3:46 by default): persons first in each epoch of 50, then auctions, then bids.
 * - Ids are dense and derived from the event number: person ids and auction ids start at 1000,
 *   categories at 10 (5 categories), so joins find matches even on small runs.
 * - Skew: a bid goes to a hot auction (the first of the last 100 auctions) unless
 *   `random(hotAuctionRatio) == 0` (1 in 2), to a hot bidder unless 1 in 4, and an auction to a
 *   hot seller unless 1 in 4; otherwise to a recent id (the last 100 auctions, the last 1000
 *   people, plus a few ids not generated yet, as the reference does).
 * - `dateTime` of event n is `baseTime + floor(n * 1e6 / rate) / 1000` ms: event time advances
 *   with the event rate, independently of how fast we generate, so results are deterministic.
 * - Auctions expire after a random time averaging the time until 100 more auctions exist.
 * - Sizes: `extra` pads persons to ~200 bytes, auctions to ~500 and bids to ~100.
 *
 * Randomness comes from one seeded stream, so a seed gives the same events on every machine.
 */
import { SeededRandom } from '../commerce/seeded-random.ts';
import type { NexmarkConfig } from './config.ts';
import { EventType, type AuctionRow, type BidRow, type PersonRow } from './model.ts';
import { NexmarkStrings } from './strings.ts';

export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
export const FIRST_CATEGORY_ID = 10;
const NUM_CATEGORIES = 5;
/** Ids ahead of the last generated one that bids/auctions may refer to. */
const PERSON_ID_LEAD = 10;
const AUCTION_ID_LEAD = 10;
/** Hot ids are the first of each block of this many. */
const HOT_BLOCK = 100;
const HOT_CHANNELS_RATIO = 2;
const CHANNELS = 10_000;

const US_STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
const US_CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];
const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];
const HOT_CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];
const SIX_LN10 = 6 * Math.LN10;

export class NexmarkGenerator {
  private readonly random: SeededRandom;
  private readonly strings: NexmarkStrings;
  private readonly total: number;
  /** Microseconds of event time between two events. */
  private readonly delayUs: number;
  private readonly hotUrls: string[];
  /** Channel number -> name and url, filled on first use; like the reference, a channel keeps one url. */
  private readonly channelNames: (string | undefined)[] = new Array<string | undefined>(CHANNELS);
  private readonly channelUrls: string[] = new Array<string>(CHANNELS);
  /** Events generated so far (the next event's number). */
  count = 0;
  /** Type and time of the event `next()` returned last. */
  lastType: EventType = EventType.Person;
  lastDateTime = 0;

  constructor(private readonly config: NexmarkConfig) {
    this.random = new SeededRandom(config.seed);
    this.strings = new NexmarkStrings(this.random, config.seed);
    this.total = config.personProportion + config.auctionProportion + config.bidProportion;
    this.delayUs = 1_000_000 / config.eventRate;
    this.hotUrls = HOT_CHANNELS.map((_, i) => baseUrl(new SeededRandom(config.seed, 0xc4a2, i)));
  }

  get hasNext(): boolean {
    return this.config.eventsNum === 0 || this.count < this.config.eventsNum;
  }

  /** Event time of event number `n`. */
  timestampFor(n: number): number {
    return this.config.baseTime + Math.floor(Math.floor(n * this.delayUs) / 1000);
  }

  /** The next event's row (person, auction or bid; see lastType and lastDateTime). */
  next(): PersonRow | AuctionRow | BidRow {
    const n = this.count++;
    const time = this.timestampFor(n);
    this.lastDateTime = time;
    const rem = n % this.total;
    const { personProportion, auctionProportion } = this.config;
    if (rem < personProportion) {
      this.lastType = EventType.Person;
      return this.nextPerson(n, time);
    }
    if (rem < personProportion + auctionProportion) {
      this.lastType = EventType.Auction;
      return this.nextAuction(n, time);
    }
    this.lastType = EventType.Bid;
    return this.nextBid(n, time);
  }

  private int(n: number): number {
    return Math.floor(this.random.next() * n);
  }

  // ---- ids ----------------------------------------------------------------------------------

  /** The last person id (base 0) generated at or before event `n`. */
  lastBase0PersonId(n: number): number {
    const epoch = Math.floor(n / this.total);
    let offset = n % this.total;
    if (offset >= this.config.personProportion) offset = this.config.personProportion - 1;
    return epoch * this.config.personProportion + offset;
  }

  /** The last auction id (base 0) generated at or before event `n` (-1 before the first). */
  lastBase0AuctionId(n: number): number {
    const { personProportion, auctionProportion } = this.config;
    let epoch = Math.floor(n / this.total);
    let offset = n % this.total;
    if (offset < personProportion) {
      epoch--;
      offset = auctionProportion - 1;
    } else if (offset >= personProportion + auctionProportion) {
      offset = auctionProportion - 1;
    } else {
      offset -= personProportion;
    }
    return epoch * auctionProportion + offset;
  }

  /** A random active person (the last numActivePeople, plus a few not yet generated). */
  private nextBase0PersonId(n: number): number {
    const numPeople = this.lastBase0PersonId(n) + 1;
    const active = Math.min(numPeople, this.config.numActivePeople);
    return numPeople - active + this.int(active + PERSON_ID_LEAD);
  }

  /** A random auction likely still open (the last numInFlightAuctions, plus a few ahead). */
  private nextBase0AuctionId(n: number): number {
    const max = this.lastBase0AuctionId(n);
    const min = Math.max(max - this.config.numInFlightAuctions, 0);
    return min + this.int(max - min + 1 + AUCTION_ID_LEAD);
  }

  // ---- events -------------------------------------------------------------------------------

  private nextPerson(n: number, time: number): PersonRow {
    const id = this.lastBase0PersonId(n) + FIRST_PERSON_ID;
    const name = `${FIRST_NAMES[this.int(FIRST_NAMES.length)]} ${LAST_NAMES[this.int(LAST_NAMES.length)]}`;
    const email = `${this.strings.nextString(7)}@${this.strings.nextString(5)}.com`;
    const card = `${digits4(this.int(10000))} ${digits4(this.int(10000))} ${digits4(this.int(10000))} ${digits4(this.int(10000))}`;
    const city = US_CITIES[this.int(US_CITIES.length)]!;
    const state = US_STATES[this.int(US_STATES.length)]!;
    const size = 8 + name.length + email.length + card.length + city.length + state.length;
    const extra = this.strings.nextExtra(size, this.config.avgPersonBytes);
    return [id, name, email, card, city, state, time, extra];
  }

  private nextAuction(n: number, time: number): AuctionRow {
    const id = this.lastBase0AuctionId(n) + FIRST_AUCTION_ID;
    const seller =
      (this.int(this.config.hotSellersRatio) > 0 ? Math.floor(this.lastBase0PersonId(n) / HOT_BLOCK) * HOT_BLOCK : this.nextBase0PersonId(n)) + FIRST_PERSON_ID;
    const category = FIRST_CATEGORY_ID + this.int(NUM_CATEGORIES);
    const initialBid = this.nextPrice();
    const expires = time + this.nextAuctionLengthMs(n, time);
    const itemName = this.strings.nextString(20);
    const description = this.strings.nextString(100);
    const reserve = initialBid + this.nextPrice();
    const size = 8 + itemName.length + description.length + 40;
    const extra = this.strings.nextExtra(size, this.config.avgAuctionBytes);
    return [id, itemName, description, initialBid, reserve, time, expires, seller, category, extra];
  }

  private nextBid(n: number, time: number): BidRow {
    const auction =
      (this.int(this.config.hotAuctionRatio) > 0 ? Math.floor(this.lastBase0AuctionId(n) / HOT_BLOCK) * HOT_BLOCK : this.nextBase0AuctionId(n)) + FIRST_AUCTION_ID;
    const bidder =
      (this.int(this.config.hotBiddersRatio) > 0 ? Math.floor(this.lastBase0PersonId(n) / HOT_BLOCK) * HOT_BLOCK + 1 : this.nextBase0PersonId(n)) + FIRST_PERSON_ID;
    const price = this.nextPrice();
    let channel: string;
    let url: string;
    if (this.int(HOT_CHANNELS_RATIO) > 0) {
      const i = this.int(HOT_CHANNELS.length);
      channel = HOT_CHANNELS[i]!;
      url = this.hotUrls[i]!;
    } else {
      // Two arrays instead of a [name, url] pair: no destructuring on the hot path.
      const number = this.int(CHANNELS);
      channel = this.channelNames[number] ?? this.newChannel(number);
      url = this.channelUrls[number]!;
    }
    const extra = this.strings.nextExtra(32, this.config.avgBidBytes);
    return [auction, bidder, price, channel, url, time, extra];
  }

  /** Prices spread over 6 decades: 100 * 10^(6 * uniform), in cents (exp is faster than pow). */
  private nextPrice(): number {
    return Math.round(Math.exp(this.random.next() * SIX_LN10) * 100);
  }

  /** Averages the event time until numInFlightAuctions more auctions have been generated. */
  private nextAuctionLengthMs(n: number, time: number): number {
    const eventsForAuctions = Math.floor((this.config.numInFlightAuctions * this.total) / Math.max(1, this.config.auctionProportion));
    const horizon = this.timestampFor(n + eventsForAuctions) - time;
    return 1 + this.int(Math.max(horizon * 2, 1));
  }

  /** Names channel `number` and gives it its url, 9 in 10 with a channel_id parameter. */
  private newChannel(number: number): string {
    // Seeded by the channel so the url does not depend on when the channel first appears.
    const random = new SeededRandom(this.config.seed, 0xc4a7, number);
    let url = baseUrl(random);
    if (Math.floor(random.next() * 10) > 0) url += `&channel_id=${Math.abs(reverseBits32(number) | 0)}`;
    const name = `channel-${number}`;
    this.channelNames[number] = name;
    this.channelUrls[number] = url;
    return name;
  }
}

function digits4(n: number): string {
  return n < 10 ? `000${n}` : n < 100 ? `00${n}` : n < 1000 ? `0${n}` : String(n);
}

/** `https://www.nexmark.com/<a>/<b>/<c>/item.htm?query=1` with short random path parts. */
function baseUrl(random: SeededRandom): string {
  const part = (): string => {
    const length = MIN_PART + Math.floor(random.next() * (5 - MIN_PART));
    let s = '';
    for (let i = 0; i < length; i++) s += Math.floor(random.next() * 13) === 0 ? '_' : String.fromCharCode(97 + Math.floor(random.next() * 26));
    return s;
  };
  return `https://www.nexmark.com/${part()}/${part()}/${part()}/item.htm?query=1`;
}
const MIN_PART = 3;

/** Java's Integer.reverse: the 32 bits in reverse order (as a signed 32-bit value). */
function reverseBits32(n: number): number {
  let v = n >>> 0;
  let r = 0;
  for (let i = 0; i < 32; i++) {
    r = (r << 1) | (v & 1);
    v >>>= 1;
  }
  return r | 0;
}
