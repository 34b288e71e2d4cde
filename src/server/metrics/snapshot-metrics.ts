/**
 * The building blocks every area of /metrics uses: metrics whose values are read from live
 * objects at scrape time (prom-client `collect` callbacks), one read per area per scrape shared
 * by all the area's metrics, and a failing read that costs its area, not the whole scrape.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export type LabelValues<L extends string> = Partial<Record<L, string | number>>;
export type Sample<L extends string> = readonly [labels: LabelValues<L>, value: number];

export interface MetricSpec<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
}

/** What each area registers its metrics with. */
export interface MetricsContext {
  registry: Registry;
  /** Counts reads that failed at scrape time, by area (the scrape still answers). */
  scrapeErrors: Counter<'area'>;
  /** The areas' reads in flight (the scrape error count waits for them). */
  reads: Set<Promise<unknown>>;
}

export function createMetricsContext(registry: Registry): MetricsContext {
  const reads = new Set<Promise<unknown>>();
  const scrapeErrors = new Counter({
    name: 'shiftleft_metrics_scrape_errors_total',
    help: 'Reads of live state that failed while /metrics was scraped, by area; that area is missing from that scrape',
    labelNames: ['area'] as const,
    registers: [registry],
    // prom-client starts every metric's collect in the same tick: after one turn, this scrape's
    // reads are all in flight, and waiting for them makes their failures part of this scrape.
    async collect() {
      await null;
      await Promise.allSettled([...reads]);
    },
  });
  return { registry, scrapeErrors, reads };
}

/**
 * Wraps an area's read so that the metrics of one scrape share it: prom-client calls every
 * metric's `collect` in the same tick, so they all join the read in flight instead of each
 * listing topics again. A failed read counts as a scrape error and yields `empty`.
 */
export function areaSnapshot<S>(context: MetricsContext, area: string, read: () => Promise<S> | S, empty: S): () => Promise<S> {
  let pending: Promise<S> | undefined;
  return () => {
    if (pending) return pending;
    // Started on the next turn, so a read that throws at once is handled like one that rejects.
    const current: Promise<S> = Promise.resolve()
      .then(read)
      .catch(() => {
        context.scrapeErrors.inc({ area });
        return empty;
      })
      .finally(() => {
        pending = undefined;
        context.reads.delete(current);
      });
    pending = current;
    context.reads.add(current);
    return current;
  };
}

/** A gauge whose samples come from `samples(snapshot)` at each scrape (old label sets vanish). */
export function snapshotGauge<S, L extends string>(context: MetricsContext, spec: MetricSpec<L>, snapshot: () => Promise<S>, samples: (s: S) => Iterable<Sample<L>>): Gauge<L> {
  return new Gauge<L>({
    ...spec,
    labelNames: [...spec.labelNames],
    registers: [context.registry],
    async collect() {
      const s = await snapshot();
      this.reset();
      for (const [labels, value] of samples(s)) if (Number.isFinite(value)) this.set(labels, value);
    },
  });
}

/**
 * A counter mirroring a count kept elsewhere (an operator's records in): set to the source's
 * value at each scrape. A restarted statement starts again from 0, which Prometheus reads as a
 * counter reset, as it should.
 */
export function snapshotCounter<S, L extends string>(context: MetricsContext, spec: MetricSpec<L>, snapshot: () => Promise<S>, samples: (s: S) => Iterable<Sample<L>>): Counter<L> {
  return new Counter<L>({
    ...spec,
    labelNames: [...spec.labelNames],
    registers: [context.registry],
    async collect() {
      const s = await snapshot();
      this.reset();
      for (const [labels, value] of samples(s)) if (Number.isFinite(value) && value >= 0) this.inc(labels, value);
    },
  });
}
