/**
 * Expected results of the Nexmark queries, computed in plain TypeScript straight from the
 * generated events (no SQL engine involved), as the final table of each query: what a
 * materialized result holds once every input is read and every window has fired.
 */
import { A, B, P, type AuctionRow, type BidRow, type NexmarkEvent, type PersonRow } from '../../src/connect/nexmark/index.ts';

export type Table = Record<string, unknown>[];

const bids = (events: NexmarkEvent[]): BidRow[] => events.flatMap((e) => (e.bid ? [e.bid] : []));
const auctions = (events: NexmarkEvent[]): AuctionRow[] => events.flatMap((e) => (e.auction ? [e.auction] : []));
const persons = (events: NexmarkEvent[]): PersonRow[] => events.flatMap((e) => (e.person ? [e.person] : []));

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

const TEN_SECONDS = 10_000;
const day = (t: number): string => new Date(t).toISOString().slice(0, 10);
const minute = (t: number): string => new Date(t).toISOString().slice(11, 16);

export function q0(events: NexmarkEvent[]): Table {
  return bids(events).map((b) => ({ auction: b[B.auction], bidder: b[B.bidder], price: b[B.price], dateTime: b[B.dateTime], extra: b[B.extra] }));
}

export function q1(events: NexmarkEvent[]): Table {
  // DECIMAL(23, 3): exact in thousandths.
  return bids(events).map((b) => ({ auction: b[B.auction], bidder: b[B.bidder], price: (b[B.price] * 908) / 1000, dateTime: b[B.dateTime], extra: b[B.extra] }));
}

export function q2(events: NexmarkEvent[]): Table {
  return bids(events)
    .filter((b) => b[B.auction] % 123 === 0)
    .map((b) => ({ auction: b[B.auction], price: b[B.price] }));
}

export function q3(events: NexmarkEvent[]): Table {
  const people = persons(events).filter((p) => ['OR', 'ID', 'CA'].includes(p[P.state]));
  const out: Table = [];
  for (const a of auctions(events)) {
    if (a[A.category] !== 10) continue;
    for (const p of people) if (p[P.id] === a[A.seller]) out.push({ name: p[P.name], city: p[P.city], state: p[P.state], id: a[A.id] });
  }
  return out;
}

/** Per auction, the bids placed while it was open (A.dateTime <= B.dateTime <= A.expires). */
function bidsWhileOpen(events: NexmarkEvent[]): { auction: AuctionRow; bids: BidRow[] }[] {
  const byAuction = groupBy(bids(events), (b) => String(b[B.auction]));
  return auctions(events)
    .map((a) => ({ auction: a, bids: (byAuction.get(String(a[A.id])) ?? []).filter((b) => b[B.dateTime] >= a[A.dateTime] && b[B.dateTime] <= a[A.expires]) }))
    .filter((x) => x.bids.length > 0);
}

export function q4(events: NexmarkEvent[]): Table {
  const finals = bidsWhileOpen(events).map(({ auction, bids: open }) => ({ category: auction[A.category], final: Math.max(...open.map((b) => b[B.price])) }));
  return [...groupBy(finals, (f) => String(f.category))].map(([category, list]) => ({
    category: Number(category),
    // AVG of BIGINT is a BIGINT in Flink: the quotient truncated.
    'EXPR$1': Math.trunc(list.reduce((s, f) => s + f.final, 0) / list.length),
  }));
}

/** Windows of `size` every `slide` ms that contain t (aligned to the epoch). */
function hopWindows(t: number, slide: number, size: number): number[] {
  const starts: number[] = [];
  for (let start = t - (((t % slide) + slide) % slide); start > t - size; start -= slide) starts.push(start);
  return starts;
}

export function q5(events: NexmarkEvent[]): Table {
  const counts = new Map<number, Map<number, number>>();
  for (const b of bids(events)) {
    for (const start of hopWindows(b[B.dateTime], 2000, TEN_SECONDS)) {
      const perAuction = counts.get(start) ?? new Map<number, number>();
      counts.set(start, perAuction);
      perAuction.set(b[B.auction], (perAuction.get(b[B.auction]) ?? 0) + 1);
    }
  }
  const out: Table = [];
  for (const perAuction of counts.values()) {
    const max = Math.max(...perAuction.values());
    for (const [auction, num] of perAuction) if (num >= max) out.push({ auction, num });
  }
  return out;
}

export function q7(events: NexmarkEvent[]): Table {
  const all = bids(events);
  const windows = groupBy(all, (b) => String(Math.floor(b[B.dateTime] / TEN_SECONDS) * TEN_SECONDS));
  const out: Table = [];
  for (const [start, list] of windows) {
    const end = Number(start) + TEN_SECONDS;
    const max = Math.max(...list.map((b) => b[B.price]));
    for (const b of all) {
      if (b[B.price] === max && b[B.dateTime] >= end - TEN_SECONDS && b[B.dateTime] <= end) {
        out.push({ auction: b[B.auction], price: b[B.price], bidder: b[B.bidder], dateTime: b[B.dateTime], extra: b[B.extra] });
      }
    }
  }
  return out;
}

export function q8(events: NexmarkEvent[]): Table {
  const window = (t: number): number => Math.floor(t / TEN_SECONDS) * TEN_SECONDS;
  const sellers = new Set(auctions(events).map((a) => `${a[A.seller]}@${window(a[A.dateTime])}`));
  const seen = new Set<string>();
  const out: Table = [];
  for (const p of persons(events)) {
    const start = window(p[P.dateTime]);
    const key = `${p[P.id]}|${p[P.name]}|${start}`;
    if (seen.has(key) || !sellers.has(`${p[P.id]}@${start}`)) continue;
    seen.add(key);
    out.push({ id: p[P.id], name: p[P.name], starttime: start });
  }
  return out;
}

/** q9's winning bid per auction (highest price, then earliest), reduced to what decides it. */
export function q9(events: NexmarkEvent[]): Table {
  return bidsWhileOpen(events).map(({ auction, bids: open }) => {
    const best = open.reduce((w, b) => (b[B.price] > w[B.price] || (b[B.price] === w[B.price] && b[B.dateTime] < w[B.dateTime]) ? b : w));
    return { id: auction[A.id], price: best[B.price], bid_dateTime: best[B.dateTime] };
  });
}

const priceRanks = (list: BidRow[]): { rank1: number; rank2: number; rank3: number } => ({
  rank1: list.filter((b) => b[B.price] < 10_000).length,
  rank2: list.filter((b) => b[B.price] >= 10_000 && b[B.price] < 1_000_000).length,
  rank3: list.filter((b) => b[B.price] >= 1_000_000).length,
});

function distinctCounts(list: BidRow[], field: number): [number, number, number, number] {
  const distinct = (l: BidRow[]): number => new Set(l.map((b) => b[field])).size;
  return [
    distinct(list),
    distinct(list.filter((b) => b[B.price] < 10_000)),
    distinct(list.filter((b) => b[B.price] >= 10_000 && b[B.price] < 1_000_000)),
    distinct(list.filter((b) => b[B.price] >= 1_000_000)),
  ];
}

function dailyStats(list: BidRow[]): Record<string, unknown> {
  const r = priceRanks(list);
  const [tb, r1b, r2b, r3b] = distinctCounts(list, B.bidder);
  const [ta, r1a, r2a, r3a] = distinctCounts(list, B.auction);
  return {
    total_bids: list.length,
    rank1_bids: r.rank1,
    rank2_bids: r.rank2,
    rank3_bids: r.rank3,
    total_bidders: tb,
    rank1_bidders: r1b,
    rank2_bidders: r2b,
    rank3_bidders: r3b,
    total_auctions: ta,
    rank1_auctions: r1a,
    rank2_auctions: r2a,
    rank3_auctions: r3a,
  };
}

export function q15(events: NexmarkEvent[]): Table {
  return [...groupBy(bids(events), (b) => day(b[B.dateTime]))].map(([d, list]) => ({ day: d, ...dailyStats(list) }));
}

export function q16(events: NexmarkEvent[]): Table {
  return [...groupBy(bids(events), (b) => `${b[B.channel]}\u0000${day(b[B.dateTime])}`)].map(([key, list]) => {
    const [channel, d] = key.split('\u0000');
    const minutes = list.map((b) => minute(b[B.dateTime])).sort();
    return { channel, day: d, minute: minutes[minutes.length - 1], ...dailyStats(list) };
  });
}

export function q17(events: NexmarkEvent[]): Table {
  return [...groupBy(bids(events), (b) => `${b[B.auction]}|${day(b[B.dateTime])}`)].map(([key, list]) => {
    const [auction, d] = key.split('|');
    const prices = list.map((b) => b[B.price]);
    const sum = prices.reduce((s, p) => s + p, 0);
    const r = priceRanks(list);
    return {
      auction: Number(auction),
      day: d,
      total_bids: list.length,
      rank1_bids: r.rank1,
      rank2_bids: r.rank2,
      rank3_bids: r.rank3,
      min_price: Math.min(...prices),
      max_price: Math.max(...prices),
      avg_price: Math.trunc(sum / list.length),
      sum_price: sum,
    };
  });
}

/** q18: the last bid of each (bidder, auction); time ties go to the later arrival. */
export function q18(events: NexmarkEvent[]): Table {
  const last = new Map<string, BidRow>();
  for (const b of bids(events)) last.set(`${b[B.bidder]}|${b[B.auction]}`, b);
  return [...last.values()].map((b) => ({ auction: b[B.auction], bidder: b[B.bidder], price: b[B.price], channel: b[B.channel], url: b[B.url], dateTime: b[B.dateTime], extra: b[B.extra] }));
}

/** q19: per auction, the ten highest prices with their rank (ties make the bid itself ambiguous). */
export function q19(events: NexmarkEvent[]): Table {
  return [...groupBy(bids(events), (b) => String(b[B.auction]))].flatMap(([auction, list]) =>
    list
      .map((b) => b[B.price])
      .sort((x, y) => y - x)
      .slice(0, 10)
      .map((price, i) => ({ auction: Number(auction), price, rank_number: i + 1 })),
  );
}

export function q20(events: NexmarkEvent[]): Table {
  const byAuction = groupBy(bids(events), (b) => String(b[B.auction]));
  return auctions(events)
    .filter((a) => a[A.category] === 10)
    .flatMap((a) => (byAuction.get(String(a[A.id])) ?? []).map((b) => ({ auction: b[B.auction], bidder: b[B.bidder], price: b[B.price], bidDateTime: b[B.dateTime], bidExtra: b[B.extra], itemName: a[A.itemName], seller: a[A.seller] })));
}

export function q21(events: NexmarkEvent[]): Table {
  const ids: Record<string, string> = { apple: '0', google: '1', facebook: '2', baidu: '3' };
  const fromUrl = (url: string): string | null => /(&|^)channel_id=([^&]*)/.exec(url)?.[2] ?? null;
  return bids(events)
    .filter((b) => fromUrl(b[B.url]) !== null || b[B.channel].toLowerCase() in ids)
    .map((b) => ({ auction: b[B.auction], bidder: b[B.bidder], price: b[B.price], channel: b[B.channel], channel_id: ids[b[B.channel].toLowerCase()] ?? fromUrl(b[B.url]) }));
}

export function q22(events: NexmarkEvent[]): Table {
  return bids(events).map((b) => {
    const parts = b[B.url].split('/');
    return { auction: b[B.auction], bidder: b[B.bidder], price: b[B.price], channel: b[B.channel], dir1: parts[3] ?? null, dir2: parts[4] ?? null, dir3: parts[5] ?? null };
  });
}
