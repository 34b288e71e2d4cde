/**
 * The payments service: one Sale per interval to `payments`, through ContractSerdes, so the
 * contract registered on `payments-value` (CEL validation → DLQ, ENCRYPT of PII) runs in the
 * serializer exactly as in the original Java producer (latest registered version, no
 * auto-registration). Key = order_id as UTF-8 text; record timestamp = ts.
 *
 * Orders: each payment pays the next order, in id order, among the orders that exist in the
 * commerce database (see order-source.ts). It starts `startBacklog` orders back from the newest
 * one, then follows new orders; when every known order is paid it waits (counts
 * `waitingForOrders`) instead of inventing ids the `sales` join would never find.
 */
import type { ContractSerdes } from '../../contracts/contract-serdes.ts';
import { ShiftleftError } from '../../common/errors.ts';
import type { OrderSource } from './order-source.ts';
import { SaleGenerator, type DrawnSale } from './sale-generator.ts';

export interface PaymentsServiceOptions {
  serdes: ContractSerdes;
  orders: OrderSource;
  seed: number;
  /** Records per second (default 1, as the original). */
  rate?: number;
  topic?: string;
  /** How many already existing orders to pay first (default 10). */
  startBacklog?: number;
  now?: () => Date;
  onError?: (error: unknown) => void;
  /** Where a previous run stopped (see `position`): the stream continues instead of repeating. */
  resumeFrom?: PaymentsPosition;
  /** Called after each record was produced, with the position to persist. */
  onProgress?: (position: PaymentsPosition) => Promise<void>;
}

export interface PaymentsPosition {
  /** Records drawn so far (the next record is drawn + 1). */
  drawn: number;
  /** The last order paid. */
  lastOrderId: number;
}

export interface PaymentsStats {
  /** Records written to the topic (duplicates included). */
  sent: number;
  /** Records the contract refused. */
  refused: number;
  /** Refused records per DLQ topic (records refused without a DLQ are under "none"). */
  refusedByDlq: Record<string, number>;
  /** Records sent a second time (the 10% exact duplicates). */
  duplicated: number;
  /** Distinct records drawn. */
  records: number;
  waitingForOrders: number;
  lastOrderId: number | null;
  errors: number;
  lastError: string | null;
  running: boolean;
}

export class PaymentsService {
  private readonly generator: SaleGenerator;
  private readonly topic: string;
  private readonly now: () => Date;
  private readonly intervalMs: number;
  private cursor: number | undefined;
  private pending: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private readonly counters: Omit<PaymentsStats, 'running'> = {
    sent: 0,
    refused: 0,
    refusedByDlq: {},
    duplicated: 0,
    records: 0,
    waitingForOrders: 0,
    lastOrderId: null,
    errors: 0,
    lastError: null,
  };

  constructor(private readonly options: PaymentsServiceOptions) {
    const rate = options.rate ?? 1;
    if (!(rate > 0)) throw new ShiftleftError('INVALID_ARGUMENT', `rate must be a positive number of records per second, got ${rate}`);
    this.intervalMs = 1000 / rate;
    this.generator = new SaleGenerator(options.seed);
    this.topic = options.topic ?? 'payments';
    this.now = options.now ?? (() => new Date());
    if (options.resumeFrom) {
      this.generator.resumeAt(options.resumeFrom.drawn);
      this.cursor = options.resumeFrom.lastOrderId;
    }
  }

  get stats(): PaymentsStats {
    return { ...this.counters, refusedByDlq: { ...this.counters.refusedByDlq }, running: this.timer !== undefined };
  }

  /** Starts producing at the configured rate. */
  start(): void {
    if (this.timer) return;
    let due = performance.now() + this.intervalMs;
    const schedule = (): void => {
      this.timer = setTimeout(() => {
        this.inFlight = this.tick()
          .then(
            () => undefined,
            (error: unknown) => {
              this.counters.errors++;
              this.counters.lastError = (error as Error).message;
              this.options.onError?.(error);
            },
          )
          .finally(() => {
            this.inFlight = undefined;
            if (!this.timer) return;
            due = Math.max(due + this.intervalMs, performance.now());
            schedule();
          });
      }, Math.max(0, due - performance.now()));
    };
    schedule();
  }

  /** Stops after the record in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /** Produces one payment (twice when it is a duplicate); false when no unpaid order exists yet. */
  async tick(): Promise<boolean> {
    const orderId = await this.nextOrder();
    if (orderId === undefined) {
      this.counters.waitingForOrders++;
      return false;
    }
    const drawn = this.generator.next(orderId, this.now());
    await this.send(drawn);
    this.counters.lastOrderId = orderId;
    await this.options.onProgress?.({ drawn: drawn.sequence, lastOrderId: orderId });
    return true;
  }

  private async send(drawn: DrawnSale): Promise<void> {
    const record = { key: Buffer.from(String(drawn.sale.order_id), 'utf8'), value: drawn.sale, timestamp: drawn.sale.ts };
    // The duplicate is the very same record in the same call, as the original sent it right after.
    const outcome = await this.options.serdes.produce(this.topic, drawn.duplicate ? [record, record] : [record]);
    this.counters.records++;
    this.counters.sent += outcome.sent.length;
    if (drawn.duplicate) this.counters.duplicated++;
    for (const refusal of outcome.refused) {
      this.counters.refused++;
      const dlq = refusal.dlqTopic ?? 'none';
      this.counters.refusedByDlq[dlq] = (this.counters.refusedByDlq[dlq] ?? 0) + 1;
    }
  }

  private async nextOrder(): Promise<number | undefined> {
    if (this.pending.length === 0) {
      const ids = await this.options.orders.recentOrderIds(1000);
      if (this.cursor === undefined) {
        const backlog = this.options.startBacklog ?? 10;
        const start = ids.length - backlog;
        this.cursor = start > 0 ? ids[start - 1]! : (ids[0] ?? 1) - 1;
      }
      const cursor = this.cursor;
      this.pending = ids.filter((id) => id > cursor).sort((a, b) => a - b);
    }
    const next = this.pending.shift();
    if (next !== undefined) this.cursor = next;
    return next;
  }
}
