/** Connectors: state, failures, the last error and their main metrics; pause and resume. */
import { useState } from 'react';
import { api, type Connector } from '../api.ts';
import { Empty, ErrorBox, Loading, PageHeader, Status } from '../components/common.tsx';
import { useLoad } from '../hooks.ts';

/** The scalar metrics worth a glance (nested objects are left to the API). */
function headlineMetrics(metrics: Record<string, unknown>): [string, string][] {
  return Object.entries(metrics)
    .filter(([, v]) => typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean')
    .slice(0, 8)
    .map(([k, v]) => [humanize(k), typeof v === 'number' ? v.toLocaleString('en-US') : String(v)]);
}

/** `rowsWritten` → `rows written`. */
const humanize = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

export function ConnectorsPage() {
  const connectors = useLoad(() => api.connectors(), [], 3000);
  const [error, setError] = useState<unknown>();
  const act = async (call: () => Promise<Connector>) => {
    try {
      await call();
      connectors.reload();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <>
      <PageHeader title="Connectors" subtitle="Sources writing topics and sinks reading them." />
      <ErrorBox error={connectors.error ?? error} />
      {connectors.loading && !connectors.data ? (
        <Loading what="connectors" />
      ) : (connectors.data ?? []).length === 0 ? (
        <Empty>No connectors. Create one with shiftleft connector create.</Empty>
      ) : (
        <div className="cards" data-testid="connectors">
          {(connectors.data ?? []).map((c) => (
            <article key={c.name} className="card">
              <div className="card-header">
                <h2>{c.name}</h2>
                <Status value={c.state} />
                <div className="spacer" />
                {c.state === 'PAUSED' ? (
                  <button className="secondary small" onClick={() => void act(() => api.resumeConnector(c.name))}>
                    Resume
                  </button>
                ) : (
                  <button className="secondary small" onClick={() => void act(() => api.pauseConnector(c.name))}>
                    Pause
                  </button>
                )}
              </div>
              <p className="muted small">
                {c.type} · {c.failures} failure{c.failures === 1 ? '' : 's'}
              </p>
              {c.lastError && <div className="error-box small">{c.lastError.message}</div>}
              {c.warnings.map((w, i) => (
                <div key={i} className="notice small">
                  {w}
                </div>
              ))}
              <dl className="config metrics">
                {headlineMetrics(c.metrics ?? {}).map(([k, v]) => (
                  <div key={k}>
                    <dt>{k}</dt>
                    <dd>{v}</dd>
                  </div>
                ))}
              </dl>
            </article>
          ))}
        </div>
      )}
    </>
  );
}
