/** SQL statements running on the platform: status, rows read (and their rate), SQL, errors. */
import { useRef, useState } from 'react';
import { api, type Statement } from '../api.ts';
import { Empty, ErrorBox, Loading, PageHeader, Status, formatNumber, timeAgo } from '../components/common.tsx';
import { useLoad } from '../hooks.ts';

const POLL_MS = 2000;

/** Rows per second from the change of rowsIn between two polls. */
function useRates(statements: Statement[] | undefined): Map<string, number> {
  const previous = useRef(new Map<string, { rows: number; at: number }>());
  const rates = useRef(new Map<string, number>());
  const seen = useRef<Statement[] | undefined>(undefined);
  if (statements && statements !== seen.current) {
    seen.current = statements;
    const now = Date.now();
    for (const s of statements) {
      const before = previous.current.get(s.name);
      if (before && now > before.at) rates.current.set(s.name, ((s.rowsIn - before.rows) * 1000) / (now - before.at));
      previous.current.set(s.name, { rows: s.rowsIn, at: now });
    }
  }
  return rates.current;
}

export function StatementsPage() {
  const statements = useLoad(() => api.statements(), [], POLL_MS);
  const rates = useRates(statements.data);
  const [open, setOpen] = useState<string>();
  const [error, setError] = useState<unknown>();

  const stop = async (name: string) => {
    if (!confirm(`Stop statement ${name}?`)) return;
    try {
      await api.stopStatement(name);
      statements.reload();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <>
      <PageHeader title="Statements" subtitle="Flink SQL statements running on the platform." />
      <ErrorBox error={statements.error ?? error} />
      {statements.loading && !statements.data ? (
        <Loading what="statements" />
      ) : (statements.data ?? []).length === 0 ? (
        <Empty>No statements run yet. Start one with shiftleft sql, or with the Deduplicate action.</Empty>
      ) : (
        <section className="card">
          <table className="list" data-testid="statements">
            <thead>
              <tr>
                <th>Statement</th>
                <th>Status</th>
                <th>Started</th>
                <th className="num">Rows read</th>
                <th className="num">Rows/s</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(statements.data ?? []).map((s) => (
                <StatementRow key={s.name} statement={s} rate={rates.get(s.name)} open={open === s.name} onToggle={() => setOpen(open === s.name ? undefined : s.name)} onStop={() => void stop(s.name)} />
              ))}
            </tbody>
          </table>
        </section>
      )}
    </>
  );
}

function StatementRow({ statement: s, rate, open, onToggle, onStop }: { statement: Statement; rate?: number; open: boolean; onToggle: () => void; onStop: () => void }) {
  return (
    <>
      <tr className="clickable" onClick={onToggle}>
        <td className="strong">
          <span className="caret">{open ? '▾' : '▸'}</span> {s.name}
        </td>
        <td>
          <Status value={s.status} />
        </td>
        <td title={s.startedAt}>{timeAgo(s.startedAt)}</td>
        <td className="num">{formatNumber(s.rowsIn)}</td>
        <td className="num">{rate === undefined ? '–' : rate.toFixed(1)}</td>
        <td className="num">
          {(s.status === 'RUNNING' || s.status === 'PENDING') && (
            <button
              className="secondary small"
              onClick={(e) => {
                e.stopPropagation();
                onStop();
              }}
            >
              Stop
            </button>
          )}
        </td>
      </tr>
      {(open || s.error) && (
        <tr className="detail">
          <td colSpan={6}>
            {s.error && (
              <div className="error-box">
                <strong>
                  {s.error.code}: {s.error.message}
                </strong>
                {s.error.hint && <div className="hint">{s.error.hint}</div>}
              </div>
            )}
            {open && <pre className="sql">{s.sql}</pre>}
          </td>
        </tr>
      )}
    </>
  );
}
