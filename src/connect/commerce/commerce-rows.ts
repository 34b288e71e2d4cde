/**
 * Pure factories for commerce rows: each takes a SeededRandom and an id and returns a row with
 * realistic values. No database here, so determinism is easy to test and reason about.
 */
import type { SeededRandom } from './seeded-random.ts';
import {
  BRANDS, CATEGORIES, CITIES, COLORS, EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, ORDER_STATUSES,
  PRODUCT_ADJECTIVES, SEGMENTS, STREET_KINDS, STREETS,
} from './commerce-vocabulary.ts';

export interface CustomerRow {
  customerid: number;
  customername: string;
  email: string;
  segment: string;
  address: string;
}

export interface ProductRow {
  productid: number;
  brand: string;
  productname: string;
  category: string;
  description: string | null;
  color: string | null;
  size: string | null;
  /** DECIMAL(10,2) as its exact text, e.g. "59.99": never a binary float. */
  price: string;
  stock: number;
}

export interface OrderRow {
  orderid: number;
  customerid: number;
  /** TIMESTAMP (no time zone) text; the generator writes UTC wall-clock time. */
  orderdate: string;
  status: string;
}

export interface OrderItemRow {
  orderitemid: number;
  orderid: number;
  productid: number;
  quantity: number;
}

export function makeCustomer(random: SeededRandom, customerid: number): CustomerRow {
  const first = random.pick(FIRST_NAMES);
  const last = random.pick(LAST_NAMES);
  const local = `${first}.${last}`.toLowerCase().normalize('NFD').replace(/[^a-z.]/g, '');
  // The id in the address keeps emails unique (the column is UNIQUE) whatever names are drawn.
  const email = `${local}${customerid}@${random.pick(EMAIL_DOMAINS)}`;
  const [city, state] = random.pick(CITIES);
  const address = `${random.int(1, 9999)} ${random.pick(STREETS)} ${random.pick(STREET_KINDS)}, ${city}, ${state} ${String(random.int(10000, 99999))}`;
  return { customerid, customername: `${first} ${last}`, email, segment: random.pick(SEGMENTS), address };
}

export function makeProduct(random: SeededRandom, productid: number): ProductRow {
  const category = random.pick(CATEGORIES);
  const item = random.pick(category.items);
  const adjective = random.pick(PRODUCT_ADJECTIVES);
  const material = random.pick(category.materials);
  const color = random.chance(0.9) ? random.pick(COLORS) : null;
  const size = category.sizes ? random.pick(category.sizes) : null;
  const description = random.chance(0.85) ? `${adjective} ${item.toLowerCase()} made of ${material}.` : null;
  return {
    productid,
    brand: random.pick(BRANDS),
    productname: `${adjective} ${item}`,
    category: category.name,
    description,
    color,
    size,
    price: priceText(random, category.priceCents[0], category.priceCents[1]),
    stock: random.int(0, 500),
  };
}

/** Shop prices end in .99, .49 or .00; kept as exact decimal text. */
export function priceText(random: SeededRandom, minCents: number, maxCents: number): string {
  const whole = random.int(Math.floor(minCents / 100), Math.floor(maxCents / 100));
  const cents = random.pick([99, 99, 49, 0]);
  return `${whole}.${String(cents).padStart(2, '0')}`;
}

/** A new price within ±20% of the old one (a sale or a price rise), never below 1.00. */
export function repricedText(random: SeededRandom, price: string): string {
  const cents = Math.round(Number(price) * 100);
  const factor = 0.8 + random.next() * 0.4;
  const next = Math.max(100, Math.round((cents * factor) / 50) * 50 - 1);
  return `${Math.floor(next / 100)}.${String(next % 100).padStart(2, '0')}`;
}

export function pickStatus(random: SeededRandom): string {
  return random.pick(ORDER_STATUSES);
}

/** `YYYY-MM-DD HH:MM:SS.mmm` in UTC: what a TIMESTAMP column stores for our orders. */
export function utcTimestampText(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
