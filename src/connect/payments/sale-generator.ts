/**
 * Draws payments like the original Java producer (REFERENCE.md §1), deterministically: record n
 * uses its own random stream seeded by (seed, n), so the same seed yields the same records
 * whatever the timing. Faithful details:
 * - product_id uniform 0-99, customer_id uniform 0-49 (the original does not look them up);
 * - amount uniform in [0, 1000);
 * - cc_number 16 digits as `D###-####-####-####`, expiration `MM/yy` 1 to 4 years ahead;
 * - confirmation_code 8 characters of [A-Z0-9], except every 6th record: "0" (invalid, for the
 *   contract's CEL rule to catch);
 * - with probability 1/10 the record is a duplicate: sent twice, byte for byte (same ts).
 */
import { SeededRandom } from '../commerce/seeded-random.ts';
import type { Sale } from './sale-schema.ts';

const CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const INVALID_CONFIRMATION_CODE = '0';
export const INVALID_EVERY = 6;
export const DUPLICATE_PROBABILITY = 0.1;

export interface DrawnSale {
  sale: Sale;
  /** Send it twice. */
  duplicate: boolean;
  /** 1-based position of the record in the stream. */
  sequence: number;
}

function digits(random: SeededRandom, count: number): string {
  let text = '';
  for (let i = 0; i < count; i++) text += String(random.int(0, 9));
  return text;
}

export class SaleGenerator {
  private sequence = 0;

  constructor(private readonly seed: number) {}

  /** How many records were drawn (continue a stream after a restart by passing it back). */
  get drawn(): number {
    return this.sequence;
  }

  resumeAt(sequence: number): void {
    this.sequence = sequence;
  }

  next(orderId: number, now: Date): DrawnSale {
    const sequence = ++this.sequence;
    const random = new SeededRandom(this.seed, sequence);
    const code = sequence % INVALID_EVERY === 0 ? INVALID_CONFIRMATION_CODE : Array.from({ length: 8 }, () => random.pick([...CODE_ALPHABET])).join('');
    const month = random.int(1, 12);
    const year = (now.getUTCFullYear() + random.int(1, 4)) % 100;
    const sale: Sale = {
      order_id: orderId,
      product_id: random.int(0, 99),
      customer_id: random.int(0, 49),
      confirmation_code: code,
      cc_number: `${random.int(1, 9)}${digits(random, 3)}-${digits(random, 4)}-${digits(random, 4)}-${digits(random, 4)}`,
      expiration: `${String(month).padStart(2, '0')}/${String(year).padStart(2, '0')}`,
      amount: random.next() * 1000,
      ts: now.getTime(),
    };
    return { sale, duplicate: random.chance(DUPLICATE_PROBABILITY), sequence };
  }
}
