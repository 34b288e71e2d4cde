/**
 * Options of the Nexmark generator, read from a table's WITH (...) options with the names the
 * Flink Nexmark connector uses ('events.num', 'first-event.rate', 'person.proportion', ...),
 * plus 'seed' and 'base-time', which make a run reproducible (the reference generator uses an
 * unseeded Random and the wall clock; we must be deterministic).
 */
import { ShiftleftError } from '../../common/errors.ts';

export interface NexmarkConfig {
  /** Events to generate; 0 means unbounded. */
  eventsNum: number;
  /** Events per second of event time: sets how fast `dateTime` advances. */
  eventRate: number;
  personProportion: number;
  auctionProportion: number;
  bidProportion: number;
  /** Average sizes in bytes; `extra` pads each event to about this size. */
  avgPersonBytes: number;
  avgAuctionBytes: number;
  avgBidBytes: number;
  /** 1 in N bids go to a random auction/bidder, the others to the hot ones (skew). */
  hotAuctionRatio: number;
  hotBiddersRatio: number;
  hotSellersRatio: number;
  /** Auctions likely open at once, and people considered active (the reference defaults). */
  numInFlightAuctions: number;
  numActivePeople: number;
  seed: number;
  /** Event time of the first event (epoch ms). */
  baseTime: number;
}

/** 2024-01-01T00:00:00Z: a fixed start so runs are repeatable. */
export const DEFAULT_BASE_TIME = Date.UTC(2024, 0, 1);

export const DEFAULT_CONFIG: NexmarkConfig = {
  eventsNum: 0,
  eventRate: 10_000,
  personProportion: 1,
  auctionProportion: 3,
  bidProportion: 46,
  avgPersonBytes: 200,
  avgAuctionBytes: 500,
  avgBidBytes: 100,
  hotAuctionRatio: 2,
  hotBiddersRatio: 4,
  hotSellersRatio: 4,
  numInFlightAuctions: 100,
  numActivePeople: 1000,
  seed: 42,
  baseTime: DEFAULT_BASE_TIME,
};

/** Option name -> config field, and whether the value is a size ('200b', '1kb'). */
const OPTIONS: Record<string, { field: keyof NexmarkConfig; size?: boolean; min: number }> = {
  'events.num': { field: 'eventsNum', min: 0 },
  'first-event.rate': { field: 'eventRate', min: 1 },
  'person.proportion': { field: 'personProportion', min: 0 },
  'auction.proportion': { field: 'auctionProportion', min: 0 },
  'bid.proportion': { field: 'bidProportion', min: 0 },
  'person.avg-size': { field: 'avgPersonBytes', size: true, min: 0 },
  'auction.avg-size': { field: 'avgAuctionBytes', size: true, min: 0 },
  'bid.avg-size': { field: 'avgBidBytes', size: true, min: 0 },
  'bid.hot-ratio.auctions': { field: 'hotAuctionRatio', min: 1 },
  'bid.hot-ratio.bidders': { field: 'hotBiddersRatio', min: 1 },
  'auction.hot-ratio.sellers': { field: 'hotSellersRatio', min: 1 },
  seed: { field: 'seed', min: -(2 ** 53) },
};

/** Options the reference accepts that do not change what we generate (rate shaping, keep-alive). */
const ACCEPTED_AND_IGNORED = new Set(['connector', 'next-event.rate', 'rate.shape', 'rate.period', 'rate.limited', 'keep-alive', 'stop-at', 'max-emit-speed']);

function parseSize(text: string): number {
  const m = /^\s*(\d+)\s*(b|bytes?|kb|k|mb|m)?\s*$/i.exec(text);
  if (!m) return NaN;
  const unit = (m[2] ?? 'b').toLowerCase();
  return Number(m[1]) * (unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1);
}

export function parseNexmarkOptions(options: Record<string, string>, table = 'nexmark'): NexmarkConfig {
  const config: NexmarkConfig = { ...DEFAULT_CONFIG };
  for (const [key, raw] of Object.entries(options)) {
    if (key === 'base-time') {
      const value = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
      if (!Number.isFinite(value)) throw new ShiftleftError('SQL_VALIDATION_ERROR', `table '${table}': invalid 'base-time' '${raw}'`, { hint: "epoch millis or an ISO date, e.g. '2024-01-01T00:00:00Z'" });
      config.baseTime = value;
      continue;
    }
    const spec = OPTIONS[key];
    if (!spec) {
      if (ACCEPTED_AND_IGNORED.has(key)) continue;
      throw new ShiftleftError('SQL_VALIDATION_ERROR', `table '${table}': unknown nexmark option '${key}'`, { hint: `options: ${[...Object.keys(OPTIONS), 'base-time', ...ACCEPTED_AND_IGNORED].join(', ')}` });
    }
    const value = spec.size ? parseSize(raw) : Number(raw);
    if (!Number.isSafeInteger(value) || value < spec.min) {
      throw new ShiftleftError('SQL_VALIDATION_ERROR', `table '${table}': option '${key}' must be an integer >= ${spec.min}, not '${raw}'`);
    }
    (config[spec.field] as number) = value;
  }
  if (config.personProportion + config.auctionProportion + config.bidProportion === 0) {
    throw new ShiftleftError('SQL_VALIDATION_ERROR', `table '${table}': the person, auction and bid proportions are all 0`);
  }
  return config;
}
