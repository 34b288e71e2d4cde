/**
 * AES-GCM for small fields, bit-compatible with Tink's AES-GCM (and so with Confluent's
 * FieldEncryptionExecutor): ciphertext = 12-byte random IV || AES-CTR body || 16-byte tag, no
 * associated data.
 *
 * Why not `createCipheriv('aes-256-gcm')` per field: in Node.js 20 creating a cipher object costs
 * ~5 µs and each update/final/getAuthTag call another microsecond, which alone caps field
 * encryption near 100K/s. GCM is CTR mode plus GHASH (NIST SP 800-38D), so we keep the AES block
 * cipher in OpenSSL (one long-lived AES-ECB context per key, which encrypts counter blocks) and
 * compute GHASH here with per-key 8-bit tables:
 *   - encryption takes its IV and keystream from a pool refilled 512 IVs at a time (random IVs
 *     from the CSPRNG, counter blocks encrypted in one OpenSSL call); a pool slot is used once;
 *   - decryption encrypts the record's counter blocks in one OpenSSL call, then checks the tag
 *     in constant time before returning anything.
 * Tests check both directions against Node's own aes-*-gcm.
 */
import { createCipheriv, randomFillSync, type Cipher } from 'node:crypto';
import { endianness } from 'node:os';

export const IV_SIZE = 12;
export const TAG_SIZE = 16;
const BLOCK = 16;
/** Keystream blocks kept per pooled IV: J0 (for the tag) plus 4 counter blocks (64 bytes of field). */
const POOLED_BLOCKS = 5;
const POOL_SLOTS = 512;
/** Counter blocks are built a 32-bit word at a time; the counter word's bytes depend on this. */
const LITTLE_ENDIAN = endianness() === 'LE';

export class AesGcmError extends Error {}

export class AesGcmKey {
  private readonly ecb: Cipher;
  /** b · H for the bytes b (as the first byte of a block): 256 entries of 4 big-endian words. */
  private readonly table: Uint32Array;
  /** What shifting a byte out of the low end folds into the top word (reduction by GCM's R). */
  private readonly reduction: Uint32Array;
  private poolIvs: Buffer = Buffer.alloc(0);
  private poolStream: Buffer = Buffer.alloc(0);
  private poolNext = POOL_SLOTS;
  private poolCounters: Uint32Array | undefined;
  private readonly expectedTag = new Uint8Array(TAG_SIZE);
  /** Scratch for the UTF-8 bytes of strings being encrypted. */
  private text: Buffer = Buffer.allocUnsafe(256);

  constructor(rawKey: Uint8Array) {
    if (rawKey.length !== 16 && rawKey.length !== 32) throw new AesGcmError(`AES-GCM key must be 16 or 32 bytes, got ${rawKey.length}`);
    this.ecb = createCipheriv(rawKey.length === 16 ? 'aes-128-ecb' : 'aes-256-ecb', rawKey, null);
    this.ecb.setAutoPadding(false);
    const h = this.encryptBlocks(Buffer.alloc(BLOCK));
    this.table = ghashTable(h);
    this.reduction = REDUCTION;
  }

  /** Encrypts a string's UTF-8 bytes with a fresh random IV. */
  encryptString(text: string): Buffer {
    // ASCII (card numbers, codes, emails) is its own UTF-8: XOR the char codes straight into the
    // output. Anything else goes through a UTF-8 encoding first.
    const length = text.length;
    if (length <= (POOLED_BLOCKS - 1) * BLOCK) {
      if (this.poolNext === POOL_SLOTS) this.refillPool();
      const slot = this.poolNext;
      const out = Buffer.allocUnsafe(IV_SIZE + length + TAG_SIZE);
      const stream = this.poolStream;
      const streamStart = slot * POOLED_BLOCKS * BLOCK + BLOCK;
      let ascii = true;
      for (let i = 0; i < length; i++) {
        const code = text.charCodeAt(i);
        if (code > 0x7f) {
          ascii = false;
          break;
        }
        out[IV_SIZE + i] = code ^ stream[streamStart + i]!;
      }
      if (ascii) {
        this.poolNext++;
        const ivs = this.poolIvs;
        for (let i = 0, from = slot * IV_SIZE; i < IV_SIZE; i++) out[i] = ivs[from + i]!;
        this.tag(out, IV_SIZE, length, stream, streamStart - BLOCK, out, IV_SIZE + length);
        return out;
      }
    }
    if (text.length * 3 > this.text.length) this.text = Buffer.allocUnsafe(text.length * 3);
    return this.encrypt(this.text, this.text.write(text, 0));
  }

  /** Encrypts with a fresh random IV; returns IV || body || tag. */
  encrypt(source: Uint8Array, sourceLength = source.length): Buffer {
    const plaintext = source;
    if (this.poolNext === POOL_SLOTS) this.refillPool();
    const slot = this.poolNext++;
    const out = Buffer.allocUnsafe(IV_SIZE + sourceLength + TAG_SIZE);
    const ivs = this.poolIvs;
    for (let i = 0, from = slot * IV_SIZE; i < IV_SIZE; i++) out[i] = ivs[from + i]!;
    let stream: Buffer = this.poolStream;
    let streamStart = slot * POOLED_BLOCKS * BLOCK;
    if (1 + Math.ceil(sourceLength / BLOCK) > POOLED_BLOCKS) {
      stream = this.keystream(out, 1 + Math.ceil(sourceLength / BLOCK));
      streamStart = 0;
    }
    for (let i = 0; i < sourceLength; i++) out[IV_SIZE + i] = plaintext[i]! ^ stream[streamStart + BLOCK + i]!;
    this.tag(out, IV_SIZE, sourceLength, stream, streamStart, out, IV_SIZE + sourceLength);
    // The slot is spent: poolNext only moves forward, and a refill replaces IVs and keystream.
    return out;
  }

  /** Decrypts IV || body || tag; throws AesGcmError when it is too short or the tag does not match. */
  decrypt(ciphertext: Uint8Array): Buffer {
    if (ciphertext.length < IV_SIZE + TAG_SIZE) throw new AesGcmError(`ciphertext too short: ${ciphertext.length} bytes, at least ${IV_SIZE + TAG_SIZE} expected`);
    const bodyLength = ciphertext.length - IV_SIZE - TAG_SIZE;
    const stream = this.keystream(ciphertext, 1 + Math.ceil(bodyLength / BLOCK));
    const expected = this.expectedTag;
    this.tag(ciphertext, IV_SIZE, bodyLength, stream, 0, expected, 0);
    let diff = 0;
    for (let i = 0; i < TAG_SIZE; i++) diff |= expected[i]! ^ ciphertext[IV_SIZE + bodyLength + i]!;
    if (diff !== 0) throw new AesGcmError('ciphertext authentication failed (wrong key or corrupt ciphertext)');
    const plaintext = Buffer.allocUnsafe(bodyLength);
    for (let i = 0; i < bodyLength; i++) plaintext[i] = ciphertext[IV_SIZE + i]! ^ stream[BLOCK + i]!;
    return plaintext;
  }

  private encryptBlocks(blocks: Buffer): Buffer {
    return this.ecb.update(blocks);
  }

  /** E(J0), E(J0+1), ... for the IV at the start of `ivSource`: `count` blocks in one call. */
  private keystream(ivSource: Uint8Array, count: number): Buffer {
    const counters = Buffer.allocUnsafe(count * BLOCK);
    for (let b = 0; b < count; b++) {
      for (let i = 0; i < IV_SIZE; i++) counters[b * BLOCK + i] = ivSource[i]!;
      counters.writeUInt32BE(b + 1, b * BLOCK + IV_SIZE);
    }
    return this.encryptBlocks(counters);
  }

  private refillPool(): void {
    // IVs and counter blocks in 32-bit words: an IV is 3 words, a block is IV || counter (big-endian).
    const ivWords = new Uint32Array(POOL_SLOTS * 3);
    randomFillSync(ivWords);
    this.poolIvs = Buffer.from(ivWords.buffer);
    const counters = (this.poolCounters ??= new Uint32Array(POOL_SLOTS * POOLED_BLOCKS * 4));
    for (let s = 0; s < POOL_SLOTS; s++) {
      const iv0 = ivWords[s * 3]!;
      const iv1 = ivWords[s * 3 + 1]!;
      const iv2 = ivWords[s * 3 + 2]!;
      for (let b = 0; b < POOLED_BLOCKS; b++) {
        const at = (s * POOLED_BLOCKS + b) * 4;
        counters[at] = iv0;
        counters[at + 1] = iv1;
        counters[at + 2] = iv2;
        counters[at + 3] = LITTLE_ENDIAN ? (b + 1) << 24 : b + 1;
      }
    }
    this.poolStream = this.encryptBlocks(Buffer.from(counters.buffer));
    this.poolNext = 0;
  }

  /**
   * Writes GHASH(data[from..from+length)) XOR E(J0) (the block at stream[streamStart]) at
   * out[at..at+16). The running value y and each product are kept in four 32-bit locals; the
   * product y · H uses Shoup's 8-bit method: a 4 KB table of b · H and a 1 KB reduction table,
   * both small enough to stay in the L1 cache.
   */
  private tag(data: Uint8Array, from: number, length: number, stream: Uint8Array, streamStart: number, out: Uint8Array, at: number): void {
    const t = this.table;
    const red = this.reduction;
    let y0 = 0;
    let y1 = 0;
    let y2 = 0;
    let y3 = 0;
    const blocks = Math.ceil(length / BLOCK);
    // One pass per data block, then one for the length block (64-bit bit lengths of the empty
    // associated data and of the data).
    for (let block = 0; block <= blocks; block++) {
      const offset = block * BLOCK;
      if (block === blocks) {
        const bits = length * 8;
        y2 ^= Math.floor(bits / 0x1_0000_0000);
        y3 ^= bits >>> 0;
      } else if (offset + BLOCK <= length) {
        const i = from + offset;
        y0 ^= (data[i]! << 24) | (data[i + 1]! << 16) | (data[i + 2]! << 8) | data[i + 3]!;
        y1 ^= (data[i + 4]! << 24) | (data[i + 5]! << 16) | (data[i + 6]! << 8) | data[i + 7]!;
        y2 ^= (data[i + 8]! << 24) | (data[i + 9]! << 16) | (data[i + 10]! << 8) | data[i + 11]!;
        y3 ^= (data[i + 12]! << 24) | (data[i + 13]! << 16) | (data[i + 14]! << 8) | data[i + 15]!;
      } else {
        for (let k = 0; k < length - offset; k++) {
          const byte = data[from + offset + k]! << (24 - 8 * (k & 3));
          if (k < 4) y0 ^= byte;
          else if (k < 8) y1 ^= byte;
          else if (k < 12) y2 ^= byte;
          else y3 ^= byte;
        }
      }
      // y · H by Horner's rule over the bytes of y, last to first: z = z · x^8 XOR T[byte].
      let e = (y3 & 0xff) << 2;
      let z0 = t[e]!;
      let z1 = t[e + 1]!;
      let z2 = t[e + 2]!;
      let z3 = t[e + 3]!;
      let rem: number;
      rem = z3 & 0xff;
      z3 = (z3 >>> 8) | (z2 << 24);
      z2 = (z2 >>> 8) | (z1 << 24);
      z1 = (z1 >>> 8) | (z0 << 24);
      z0 = (z0 >>> 8) ^ red[rem]!;
      e = ((y3 >>> 8) & 0xff) << 2;
      z0 ^= t[e]!;
      z1 ^= t[e + 1]!;
      z2 ^= t[e + 2]!;
      z3 ^= t[e + 3]!;
      rem = z3 & 0xff;
      z3 = (z3 >>> 8) | (z2 << 24);
      z2 = (z2 >>> 8) | (z1 << 24);
      z1 = (z1 >>> 8) | (z0 << 24);
      z0 = (z0 >>> 8) ^ red[rem]!;
      e = ((y3 >>> 16) & 0xff) << 2;
      z0 ^= t[e]!;
      z1 ^= t[e + 1]!;
      z2 ^= t[e + 2]!;
      z3 ^= t[e + 3]!;
      rem = z3 & 0xff;
      z3 = (z3 >>> 8) | (z2 << 24);
      z2 = (z2 >>> 8) | (z1 << 24);
      z1 = (z1 >>> 8) | (z0 << 24);
      z0 = (z0 >>> 8) ^ red[rem]!;
      e = ((y3 >>> 24) & 0xff) << 2;
      z0 ^= t[e]!;
      z1 ^= t[e + 1]!;
      z2 ^= t[e + 2]!;
      z3 ^= t[e + 3]!;
      rem = z3 & 0xff;
      z3 = (z3 >>> 8) | (z2 << 24);
      z2 = (z2 >>> 8) | (z1 << 24);
      z1 = (z1 >>> 8) | (z0 << 24);
      z0 = (z0 >>> 8) ^ red[rem]!;
      e = (y2 & 0xff) << 2;
      z0 ^= t[e]!;
      z1 ^= t[e + 1]!;
      z2 ^= t[e + 2]!;
      z3 ^= t[e + 3]!;
      rem = z3 & 0xff;
      z3 = (z3 >>> 8) | (z2 << 24);
      z2 = (z2 >>> 8) | (z1 << 24);
      z1 = (z1 >>> 8) | (z0 << 24);
      z0 = (z0 >>> 8) ^ red[rem]!;
      e = ((y2 >>> 8) & 0xff) << 2;
      z0 ^= t[e]!;
      z1 ^= t[e + 1]!;
      z2 ^= t[e + 2]!;
      z3 ^= t[e + 3]!;
      rem = z3 & 0xff;
      z3 = (z3 >>> 8) | (z2 << 24);
      z2 = (z2 >>> 8) | (z1 << 24);
      z1 = (z1 >>> 8) | (z0 << 24);
      z0 = (z0 >>> 8) ^ red[rem]!;
      e = ((y2 >>> 16) & 0xff) << 2;
      z0 ^= t[e]!;
      z1 ^= t[e + 1]!;
      z2 ^= t[e + 2]!;
      z3 ^= t[e + 3]!;
      rem = z3 & 0xff;
      z3 = (z3 >>> 8) | (z2 << 24);
      z2 = (z2 >>> 8) | (z1 << 24);
      z1 = (z1 >>> 8) | (z0 << 24);
      z0 = (z0 >>> 8) ^ red[rem]!;
      e = ((y2 >>> 24) & 0xff) << 2;
      z0 ^= t[e]!;
      z1 ^= t[e + 1]!;
      z2 ^= t[e + 2]!;
      z3 ^= t[e + 3]!;
      rem = z3 & 0xff;
      z3 = (z3 >>> 8) | (z2 << 24);
      z2 = (z2 >>> 8) | (z1 << 24);
      z1 = (z1 >>> 8) | (z0 << 24);
      z0 = (z0 >>> 8) ^ red[rem]!;
      e = (y1 & 0xff) << 2;
      z0 ^= t[e]!;
      z1 ^= t[e + 1]!;
      z2 ^= t[e + 2]!;
      z3 ^= t[e + 3]!;
      rem = z3 & 0xff;
      z3 = (z3 >>> 8) | (z2 << 24);
      z2 = (z2 >>> 8) | (z1 << 24);
      z1 = (z1 >>> 8) | (z0 << 24);
      z0 = (z0 >>> 8) ^ red[rem]!;
      e = ((y1 >>> 8) & 0xff) << 2;
      z0 ^= t[e]!;
      z1 ^= t[e + 1]!;
      z2 ^= t[e + 2]!;
      z3 ^= t[e + 3]!;
      rem = z3 & 0xff;
      z3 = (z3 >>> 8) | (z2 << 24);
      z2 = (z2 >>> 8) | (z1 << 24);
      z1 = (z1 >>> 8) | (z0 << 24);
      z0 = (z0 >>> 8) ^ red[rem]!;
      e = ((y1 >>> 16) & 0xff) << 2;
      z0 ^= t[e]!;
      z1 ^= t[e + 1]!;
      z2 ^= t[e + 2]!;
      z3 ^= t[e + 3]!;
      rem = z3 & 0xff;
      z3 = (z3 >>> 8) | (z2 << 24);
      z2 = (z2 >>> 8) | (z1 << 24);
      z1 = (z1 >>> 8) | (z0 << 24);
      z0 = (z0 >>> 8) ^ red[rem]!;
      e = ((y1 >>> 24) & 0xff) << 2;
      z0 ^= t[e]!;
      z1 ^= t[e + 1]!;
      z2 ^= t[e + 2]!;
      z3 ^= t[e + 3]!;
      rem = z3 & 0xff;
      z3 = (z3 >>> 8) | (z2 << 24);
      z2 = (z2 >>> 8) | (z1 << 24);
      z1 = (z1 >>> 8) | (z0 << 24);
      z0 = (z0 >>> 8) ^ red[rem]!;
      e = (y0 & 0xff) << 2;
      z0 ^= t[e]!;
      z1 ^= t[e + 1]!;
      z2 ^= t[e + 2]!;
      z3 ^= t[e + 3]!;
      rem = z3 & 0xff;
      z3 = (z3 >>> 8) | (z2 << 24);
      z2 = (z2 >>> 8) | (z1 << 24);
      z1 = (z1 >>> 8) | (z0 << 24);
      z0 = (z0 >>> 8) ^ red[rem]!;
      e = ((y0 >>> 8) & 0xff) << 2;
      z0 ^= t[e]!;
      z1 ^= t[e + 1]!;
      z2 ^= t[e + 2]!;
      z3 ^= t[e + 3]!;
      rem = z3 & 0xff;
      z3 = (z3 >>> 8) | (z2 << 24);
      z2 = (z2 >>> 8) | (z1 << 24);
      z1 = (z1 >>> 8) | (z0 << 24);
      z0 = (z0 >>> 8) ^ red[rem]!;
      e = ((y0 >>> 16) & 0xff) << 2;
      z0 ^= t[e]!;
      z1 ^= t[e + 1]!;
      z2 ^= t[e + 2]!;
      z3 ^= t[e + 3]!;
      rem = z3 & 0xff;
      z3 = (z3 >>> 8) | (z2 << 24);
      z2 = (z2 >>> 8) | (z1 << 24);
      z1 = (z1 >>> 8) | (z0 << 24);
      z0 = (z0 >>> 8) ^ red[rem]!;
      e = ((y0 >>> 24) & 0xff) << 2;
      z0 ^= t[e]!;
      z1 ^= t[e + 1]!;
      z2 ^= t[e + 2]!;
      z3 ^= t[e + 3]!;
      y0 = z0;
      y1 = z1;
      y2 = z2;
      y3 = z3;
    }
    for (let k = 0; k < 4; k++) {
      const word = k === 0 ? y0 : k === 1 ? y1 : k === 2 ? y2 : y3;
      const o = at + 4 * k;
      const sIndex = streamStart + 4 * k;
      out[o] = ((word >>> 24) & 0xff) ^ stream[sIndex]!;
      out[o + 1] = ((word >>> 16) & 0xff) ^ stream[sIndex + 1]!;
      out[o + 2] = ((word >>> 8) & 0xff) ^ stream[sIndex + 2]!;
      out[o + 3] = (word & 0xff) ^ stream[sIndex + 3]!;
    }
  }
}

/** Multiplies (v0..v3) by x in GCM's reflected bit order: a right shift, reduced by R = 0xE1 || 0^120. */
function timesX(v: Uint32Array): void {
  const carry = v[3]! & 1;
  v[3] = ((v[3]! >>> 1) | (v[2]! << 31)) >>> 0;
  v[2] = ((v[2]! >>> 1) | (v[1]! << 31)) >>> 0;
  v[1] = ((v[1]! >>> 1) | (v[0]! << 31)) >>> 0;
  v[0] = ((v[0]! >>> 1) ^ (carry ? 0xe1000000 : 0)) >>> 0;
}

/**
 * b · H for every byte b in the first position of a block. With P[k] = H · x^k (bit k counted
 * from the most significant bit of byte 0, as GCM numbers them), entry b is the XOR of P[k] over
 * the bits k set in b.
 */
function ghashTable(h: Buffer): Uint32Array {
  const powers = new Uint32Array(8 * 4);
  const v = new Uint32Array([h.readUInt32BE(0), h.readUInt32BE(4), h.readUInt32BE(8), h.readUInt32BE(12)]);
  for (let k = 0; k < 8; k++) {
    powers.set(v, k * 4);
    timesX(v);
  }
  const table = new Uint32Array(256 * 4);
  for (let b = 1; b < 256; b++) {
    const low = b & -b;
    const k = 7 - Math.log2(low);
    for (let w = 0; w < 4; w++) table[b * 4 + w] = (table[(b ^ low) * 4 + w]! ^ powers[k * 4 + w]!) >>> 0;
  }
  return table;
}

/** For each byte shifted out of the low end by a multiplication by x^8, what it folds into word 0. */
const REDUCTION = (() => {
  const reduction = new Uint32Array(256);
  for (let b = 0; b < 256; b++) {
    const v = new Uint32Array([0, 0, 0, b]);
    for (let k = 0; k < 8; k++) timesX(v);
    reduction[b] = v[0]!;
  }
  return reduction;
})();
