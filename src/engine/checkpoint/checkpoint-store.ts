/**
 * Checkpoint files of one statement, under `<dataDir>/statements/<name>/`:
 *
 *   chk-<id>.bin  =>  magic "SLCK" | version uint8 (1) | payload length uint32 | CRC-32C uint32 | payload
 *
 * The payload is the snapshot in V8's structured-clone format (node:v8 serialize), which keeps
 * what operator state holds (Maps, BigInts, Buffers, Dates) without a hand-written codec. A file
 * is written to `.tmp`, fsynced, renamed into place and the directory fsynced, so a crash leaves
 * either the whole file or none; the CRC catches damage after the fact.
 *
 * Which checkpoint counts is not decided here: a checkpoint is complete once its pointer is
 * committed in the log (statement-store.ts), atomically with the output it covers.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { crc32c } from '@node-rs/crc32';
import { ShiftleftError } from '../../common/errors.ts';

const MAGIC = Buffer.from('SLCK');
const VERSION = 1;
const HEADER = 4 + 1 + 4 + 4;

export class CheckpointStore {
  readonly dir: string;

  constructor(
    root: string,
    readonly statement: string,
  ) {
    this.dir = join(root, safeDirName(statement));
  }

  fileOf(id: number): string {
    return join(this.dir, `chk-${id}.bin`);
  }

  /** Writes checkpoint `id` durably; returns its size in bytes. */
  write(id: number, snapshot: unknown): number {
    mkdirSync(this.dir, { recursive: true });
    const payload = serialize(snapshot);
    const header = Buffer.alloc(HEADER);
    MAGIC.copy(header, 0);
    header.writeUInt8(VERSION, 4);
    header.writeUInt32BE(payload.length, 5);
    header.writeUInt32BE(crc32c(payload), 9);
    const path = this.fileOf(id);
    const fd = openSync(path + '.tmp', 'w');
    try {
      writeFully(fd, header);
      writeFully(fd, payload);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(path + '.tmp', path);
    syncDir(this.dir);
    return HEADER + payload.length;
  }

  /** Reads checkpoint `id`; a missing or damaged file is CHECKPOINT_CORRUPT naming the file. */
  read(id: number): unknown {
    const path = this.fileOf(id);
    const corrupt = (reason: string, cause?: unknown): ShiftleftError =>
      new ShiftleftError('CHECKPOINT_CORRUPT', `checkpoint ${id} of statement '${this.statement}' (${path}) ${reason}`, {
        hint: this.recoveryHint(id),
        details: { statement: this.statement, checkpoint: id, file: path, available: this.ids() },
        ...(cause ? { cause } : {}),
      });
    if (!existsSync(path)) throw corrupt('is missing');
    const bytes = readFileSync(path);
    if (bytes.length < HEADER || !bytes.subarray(0, 4).equals(MAGIC)) throw corrupt('is not a checkpoint file');
    if (bytes.readUInt8(4) !== VERSION) throw corrupt(`has format version ${bytes.readUInt8(4)}, this build reads ${VERSION}`);
    const length = bytes.readUInt32BE(5);
    const payload = bytes.subarray(HEADER);
    if (payload.length !== length) throw corrupt(`is truncated (${payload.length} of ${length} payload bytes)`);
    if (crc32c(payload) !== bytes.readUInt32BE(9)) throw corrupt('fails its CRC check');
    try {
      return deserialize(payload);
    } catch (error) {
      throw corrupt(`cannot be decoded: ${(error as Error).message}`, error);
    }
  }

  private recoveryHint(id: number): string {
    const older = this.ids().filter((i) => i < id);
    const previous = older[older.length - 1];
    return previous !== undefined
      ? `resume from the previous checkpoint with 'shiftleft statement resume ${this.statement} --from-checkpoint ${previous}' (its output since then will be written again), or delete the statement and start it afresh`
      : `no older checkpoint exists: delete the statement (shiftleft statement delete ${this.statement}) and start it afresh`;
  }

  /** Checkpoint ids on disk, ascending. */
  ids(): number[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .map((f) => /^chk-(\d+)\.bin$/.exec(f)?.[1])
      .filter((m): m is string => m !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** Keeps the newest `keep` files and never the one `protect` names. */
  prune(keep: number, protect: number): void {
    const ids = this.ids();
    for (const id of ids.slice(0, Math.max(0, ids.length - keep))) if (id !== protect) rmSync(this.fileOf(id), { force: true });
  }

  destroy(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function writeFully(fd: number, buf: Buffer): void {
  let written = 0;
  while (written < buf.length) written += writeSync(fd, buf, written);
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Statement names are user-chosen: keep the directory name safe and recognizable. */
function safeDirName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9._-]/g, '_').slice(0, 120);
  return cleaned === name ? name : `${cleaned}-${crc32c(Buffer.from(name)).toString(16)}`;
}
