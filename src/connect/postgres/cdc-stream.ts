/**
 * The streaming half of the CDC reader: a pgoutput replication connection (pg-logical-replication)
 * turned into per-transaction batches, with acknowledgement-driven flush positions.
 *
 * Ordering: every message from the server (data and keepalives) enters one queue, processed by
 * one worker, so batches reach the handler in commit order and a keepalive is only acted upon
 * after everything sent before it.
 *
 * What we confirm to the server (the slot's confirmed_flush_lsn, below which WAL may be recycled):
 * `progress` lists, in stream order, the commit LSNs of delivered transactions (waiting for the
 * connector's acknowledge) and positions that need no acknowledgement (transactions with nothing
 * for us, keepalives received between transactions). The confirmed LSN is the end of the longest
 * prefix that is done. So a quiet slot still advances (keepalives), and nothing the connector
 * has not made durable is ever confirmed.
 *
 * The library's automatic acknowledgement is off: it would confirm what was merely received.
 * We send standby status ourselves, periodically and when the confirmed LSN moves.
 */
import { LogicalReplicationService, type Pgoutput } from 'pg-logical-replication';
import { ShiftleftError } from '../../common/errors.ts';
import type { CatalogTable } from './cdc-catalog.ts';
import { tableKey } from './cdc-catalog.ts';
import { changeEventsOf } from './cdc-change-events.ts';
import type { ResolvedCdcConfig } from './cdc-config.ts';
import { clientConfigOf } from './cdc-connection.ts';
import { formatLsn, maxLsn, parseLsn, type Lsn } from './cdc-lsn.ts';
import { TextPgoutputPlugin, type UnreadableMessage } from './cdc-pgoutput-plugin.ts';
import { RowConverter, schemaFromRelation } from './cdc-table-schema.ts';
import type { CdcHandler, ChangeEvent, TableId, TableSchema } from './cdc-types.ts';

type QueueItem = { kind: 'message'; lsn: string; message: Pgoutput.Message | UnreadableMessage } | { kind: 'keepalive'; lsn: Lsn };

interface OpenTransaction {
  xid: number;
  commitTime: number;
  events: ChangeEvent[];
}

export interface StreamOptions {
  config: ResolvedCdcConfig;
  /** Where streaming starts: the stored offset or the slot's consistent point. */
  startLsn: string;
  /** Current schema per table (`schema.table`), shared with the reader. */
  schemas: Map<string, TableSchema>;
  describe: (table: TableId) => Promise<CatalogTable | undefined>;
  handler: CdcHandler;
  onFatal: (error: Error) => void;
}

/** Minimum time between two standby status messages sent because the confirmed LSN moved. */
const STATUS_COALESCE_MS = 50;

export class ReplicationStream {
  private readonly service: LogicalReplicationService;
  private readonly queue: QueueItem[] = [];
  private working = false;
  private paused = false;
  private stopping = false;
  private failed = false;
  private started = false;
  private openTransaction: OpenTransaction | undefined;
  private readonly progress: Array<{ lsn: Lsn; done: boolean }> = [];
  private confirmed: Lsn;
  private lastReceived: Lsn;
  private statusTimer: NodeJS.Timeout | undefined;
  private statusPending: NodeJS.Timeout | undefined;
  private lastStatusAt = 0;
  private readonly converters = new Map<TableSchema, RowConverter>();
  private readonly captured: Set<string>;
  private transactions = 0;

  constructor(private readonly options: StreamOptions) {
    this.confirmed = parseLsn(options.startLsn);
    this.lastReceived = this.confirmed;
    this.captured = new Set(options.config.tables.map(tableKey));
    this.service = new LogicalReplicationService(
      clientConfigOf(options.config.source, { connectTimeoutMs: options.config.connectTimeoutMs, applicationName: 'shiftleft-cdc' }),
      { acknowledge: { auto: false, timeoutSeconds: 0 }, flowControl: { enabled: false } },
    );
  }

  /** The flush position confirmed to the server. */
  get confirmedLsn(): string {
    return formatLsn(this.confirmed);
  }

  get lastReceivedLsn(): string {
    return formatLsn(this.lastReceived);
  }

  get stats(): { transactions: number; queued: number; unacknowledged: number } {
    return { transactions: this.transactions, queued: this.queue.length, unacknowledged: this.progress.filter((p) => !p.done).length };
  }

  /** Resolves once the server streams; rejects when it refuses (unknown slot, slot in use, ...). */
  async start(): Promise<void> {
    const { config } = this.options;
    this.service.on('data', (lsn: string, message: Pgoutput.Message) => this.enqueue({ kind: 'message', lsn, message }));
    this.service.on('heartbeat', (lsn: string, _timestamp: number, shouldRespond: boolean) => {
      this.enqueue({ kind: 'keepalive', lsn: parseLsn(lsn) });
      // The server asks for a reply to keep the connection alive: answer now, not after the queue.
      if (shouldRespond) this.sendStatus();
    });
    this.service.on('error', (error: Error) => this.fail(error));
    const plugin = new TextPgoutputPlugin({ protoVersion: 1, publicationNames: [config.publicationName], messages: false });
    const started = new Promise<void>((resolve) => this.service.once('start', () => resolve()));
    const running = this.service.subscribe(plugin, config.slotName, this.options.startLsn);
    const ended = running.then(
      () => {
        if (!this.stopping) this.fail(new Error('the server ended replication'));
      },
      (error: unknown) => {
        if (!this.stopping) this.fail(error instanceof Error ? error : new Error(String(error)));
        throw error;
      },
    );
    // After start, failures are reported through fail(); nobody awaits `ended` any more.
    ended.catch(() => undefined);
    try {
      await Promise.race([started, ended]);
    } catch (error) {
      throw new ShiftleftError('SOURCE_UNREACHABLE', `cannot stream from replication slot "${config.slotName}": ${(error as Error).message}`, {
        hint: 'check that the slot exists, is not used by another reader, and that the user may replicate',
        cause: error,
      });
    }
    this.started = true;
    // Periodic status asks for a reply: the server answers with a keepalive carrying its current
    // position, which lets a quiet slot advance (see onKeepalive).
    this.statusTimer = setInterval(() => this.sendStatus(true), config.statusIntervalMs);
    this.sendStatus();
  }

  /** The connector made everything up to `lsn` durable. */
  acknowledge(lsn: string): void {
    const acknowledged = parseLsn(lsn);
    for (const entry of this.progress) if (entry.lsn <= acknowledged) entry.done = true;
    this.advance();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.statusTimer) clearInterval(this.statusTimer);
    if (this.statusPending) clearTimeout(this.statusPending);
    // A last status so the server knows everything acknowledged before we go.
    this.sendStatus();
    this.queue.length = 0;
    await this.service.destroy().catch(() => undefined);
  }

  private enqueue(item: QueueItem): void {
    if (this.stopping || this.failed) return;
    this.queue.push(item);
    if (!this.paused && this.queue.length >= this.options.config.maxQueuedMessages) this.setPaused(true);
    void this.work();
  }

  /**
   * Backpressure: stop reading the socket while the handler lags. pg-logical-replication 2.x
   * does the same for its flowControl option through this (non-public) connection stream.
   */
  private setPaused(paused: boolean): void {
    const stream = (this.service as unknown as { _connection?: { stream?: { pause?: () => void; resume?: () => void } } })._connection?.stream;
    if (paused) stream?.pause?.();
    else stream?.resume?.();
    this.paused = paused;
  }

  private async work(): Promise<void> {
    if (this.working) return;
    this.working = true;
    try {
      while (this.queue.length > 0 && !this.stopping && !this.failed) {
        const item = this.queue.shift() as QueueItem;
        if (this.paused && this.queue.length <= this.options.config.maxQueuedMessages / 2) this.setPaused(false);
        if (item.kind === 'keepalive') this.onKeepalive(item.lsn);
        else await this.onMessage(item.message);
      }
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.working = false;
    }
  }

  private onKeepalive(lsn: Lsn): void {
    this.lastReceived = maxLsn(this.lastReceived, lsn);
    // Between transactions, everything before the keepalive's position has been handed over:
    // that position needs no acknowledgement of its own.
    if (!this.openTransaction) {
      this.progress.push({ lsn, done: true });
      this.advance();
    }
  }

  private async onMessage(message: Pgoutput.Message | UnreadableMessage): Promise<void> {
    switch (message.tag) {
      case 'unreadable':
        throw new ShiftleftError('CONNECTOR_FAILED', `unreadable pgoutput message: ${message.error.message}`, { cause: message.error });
      case 'begin':
        this.openTransaction = { xid: message.xid, commitTime: Number(BigInt(message.commitTime as bigint) / 1000n), events: [] };
        return;
      case 'relation':
        await this.onRelation(message);
        return;
      case 'insert':
      case 'update':
      case 'delete': {
        const transaction = this.openTransaction;
        if (!transaction) throw new ShiftleftError('CONNECTOR_FAILED', `pgoutput ${message.tag} outside a transaction`);
        const schema = this.options.schemas.get(`${message.relation.schema}.${message.relation.name}`);
        if (!schema || !this.captured.has(tableKey(schema.table))) return;
        transaction.events.push(...changeEventsOf(message, this.converterOf(schema), '', transaction.commitTime));
        return;
      }
      case 'truncate': {
        const names = message.relations.filter((r) => r && this.captured.has(`${r.schema}.${r.name}`)).map((r) => `${r.schema}.${r.name}`);
        if (names.length > 0) this.options.handler.onWarning?.(`TRUNCATE of ${names.join(', ')} is not captured (no per-row events); consumers keep the old rows`);
        return;
      }
      case 'commit':
        await this.onCommit(message);
        return;
      default:
        return; // origin, type, logical messages: nothing to emit
    }
  }

  private async onRelation(message: Pgoutput.MessageRelation): Promise<void> {
    const table = { schema: message.schema, name: message.name };
    const key = tableKey(table);
    if (!this.captured.has(key)) return;
    const previous = this.options.schemas.get(key);
    const catalog = await this.options.describe(table);
    const next = schemaFromRelation(this.options.config.topicPrefix, table, message.columns, message.replicaIdentity, catalog);
    if (previous && previous.fingerprint === next.fingerprint) return;
    const schema: TableSchema = { ...next, version: (previous?.version ?? 0) + 1 };
    // Registered before the first row that uses it, as the Relation message precedes that row.
    await this.options.handler.onSchema?.(schema, previous);
    this.options.schemas.set(key, schema);
  }

  private async onCommit(message: Pgoutput.MessageCommit): Promise<void> {
    const transaction = this.openTransaction;
    this.openTransaction = undefined;
    if (!transaction || !message.commitEndLsn) return;
    const lsn = parseLsn(message.commitEndLsn);
    this.lastReceived = maxLsn(this.lastReceived, lsn);
    if (transaction.events.length === 0) {
      this.progress.push({ lsn, done: true });
      this.advance();
      return;
    }
    const lsnText = formatLsn(lsn);
    for (const event of transaction.events) event.lsn = lsnText;
    this.progress.push({ lsn, done: false });
    this.transactions++;
    await this.options.handler.onBatch({
      kind: 'transaction',
      xid: transaction.xid,
      commitTime: transaction.commitTime,
      events: transaction.events,
      offset: { lsn: lsnText, snapshotCompleted: true },
    });
  }

  private converterOf(schema: TableSchema): RowConverter {
    let converter = this.converters.get(schema);
    if (!converter) {
      converter = new RowConverter(schema);
      this.converters.set(schema, converter);
    }
    return converter;
  }

  private advance(): void {
    let moved = false;
    while (this.progress.length > 0 && this.progress[0]?.done) {
      const entry = this.progress.shift() as { lsn: Lsn };
      if (entry.lsn > this.confirmed) {
        this.confirmed = entry.lsn;
        moved = true;
      }
    }
    if (moved) this.scheduleStatus();
  }

  private scheduleStatus(): void {
    if (this.statusPending) return;
    const wait = Math.max(0, this.lastStatusAt + STATUS_COALESCE_MS - Date.now());
    this.statusPending = setTimeout(() => {
      this.statusPending = undefined;
      this.sendStatus();
    }, wait);
  }

  /**
   * Standby status update with write = flush = apply = the confirmed LSN. The library reports
   * `lsn + 1`, so we hand it one less: a flush position past the confirmed one could skip a
   * transaction whose commit record starts exactly there.
   */
  private sendStatus(requestReply = false): void {
    if (this.confirmed === 0n) return;
    this.lastStatusAt = Date.now();
    void this.service.acknowledge(formatLsn(this.confirmed - 1n), requestReply).catch(() => undefined);
  }

  private fail(error: Error): void {
    if (this.failed || this.stopping) return;
    this.failed = true;
    // Before streaming began, start() reports the failure itself.
    if (this.started) this.options.onFatal(error);
  }
}
