/**
 * Random strings for Nexmark events, drawn from two pools generated once per seed: runs of
 * lowercase letters (`extra` padding) and letters with about one space in 13 (names,
 * descriptions, e-mail parts), which is the character mix of the reference generator. Copying a
 * stretch of a pool at a random offset costs one random draw instead of one per character, so the
 * generator stays far faster than the queries it feeds; lengths follow the reference exactly.
 *
 * Each string is a copy (Buffer#toString), not a `String#slice` view: V8 would make a view
 * share the pool's characters, and rows kept in operator state would then look far smaller than
 * rows of real data; the copy costs ~3x a view but keeps the memory figures honest.
 */
import { SeededRandom } from '../commerce/seeded-random.ts';

const POOL_SIZE = 1 << 16;
const MIN_STRING_LENGTH = 3;

export class NexmarkStrings {
  private readonly letters: Buffer;
  private readonly text: Buffer;

  constructor(
    private readonly random: SeededRandom,
    seed: number,
  ) {
    const poolRandom = new SeededRandom(seed, 0x5eed);
    this.letters = pool(poolRandom, 0);
    this.text = pool(poolRandom, 13);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.random.next() * n);
  }

  /** A string of 3 to maxLength - 1 characters, letters and spaces, trimmed (like the reference). */
  nextString(maxLength: number): string {
    const length = MIN_STRING_LENGTH + this.int(maxLength - MIN_STRING_LENGTH);
    const at = this.int(POOL_SIZE - length);
    return this.text.toString('latin1', at, at + length).trim();
  }

  /** Exactly `length` lowercase letters. */
  nextExactString(length: number): string {
    if (length <= 0) return '';
    const at = this.int(POOL_SIZE - length);
    return this.letters.toString('latin1', at, at + length);
  }

  /** Padding so that an event of `currentSize` bytes averages `averageSize` (+-20 %). */
  nextExtra(currentSize: number, averageSize: number): string {
    if (currentSize > averageSize) return '';
    const desired = averageSize - currentSize;
    const delta = Math.round(desired * 0.2);
    return this.nextExactString(desired - delta + (delta === 0 ? 0 : this.int(2 * delta)));
  }
}

/** POOL_SIZE characters: lowercase letters, with a space instead about once in `spaceOneIn`. */
function pool(random: SeededRandom, spaceOneIn: number): Buffer {
  const codes = new Uint8Array(POOL_SIZE);
  for (let i = 0; i < POOL_SIZE; i++) {
    codes[i] = spaceOneIn > 0 && Math.floor(random.next() * spaceOneIn) === 0 ? 32 : 97 + Math.floor(random.next() * 26);
  }
  return Buffer.from(codes);
}
