/**
 * A small seeded pseudo-random generator (sfc32, seeded through splitmix32), so the commerce
 * data is reproducible: the same seed gives the same rows on every machine and Node version,
 * which Math.random cannot promise.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `parts` are mixed into one state, e.g. `(seed, orderId)` for a per-order stream. */
  constructor(...parts: number[]) {
    let state = 0x9e3779b9;
    for (const part of parts) state = mix32(state ^ Math.imul(part | 0, 0x85ebca6b) ^ Math.floor(part / 2 ** 32));
    this.a = mix32((state += 0x9e3779b9));
    this.b = mix32((state += 0x9e3779b9));
    this.c = mix32((state += 0x9e3779b9));
    this.d = mix32((state += 0x9e3779b9));
    for (let i = 0; i < 12; i++) this.next(); // discard the first outputs: they correlate with the seed
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('cannot pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }
}

function mix32(input: number): number {
  let z = input | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}
