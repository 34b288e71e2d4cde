/**
 * "Deduplicate topic": choose the fields that identify a duplicate, look at the SQL the action
 * generates (Show SQL), then confirm to run it as a statement writing `<topic>_deduplicate`.
 */
import { useState } from 'react';
import { api, type DeduplicatePreview } from '../api.ts';
import { ErrorBox, Modal } from '../components/common.tsx';
import { useLoad } from '../hooks.ts';
import { Link, topicPath } from '../router.tsx';

export function DeduplicateDialog({ topic, onClose }: { topic: string; onClose: () => void }) {
  const fields = useLoad(() => api.deduplicateFields(topic), [topic]);
  const [chosen, setChosen] = useState<string[]>([]);
  const [preview, setPreview] = useState<DeduplicatePreview>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [started, setStarted] = useState<{ statement: string; table: string; status: string }>();

  const toggle = (name: string) => {
    setPreview(undefined);
    // Keep the schema's field order whatever the click order.
    const order = (fields.data ?? []).map((f) => f.name);
    setChosen((current) => (current.includes(name) ? current.filter((f) => f !== name) : [...current, name].sort((a, b) => order.indexOf(a) - order.indexOf(b))));
  };

  const act = async (what: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await what();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={`Deduplicate ${topic}`} onClose={onClose} wide>
      {started ? (
        <div className="form">
          <div className="success">
            Statement <strong>{started.statement}</strong> is {started.status.toLowerCase()}: it writes the first record of each ({chosen.join(', ')}) to{' '}
            <Link to={topicPath(started.table)}>{started.table}</Link>.
          </div>
          <div className="buttons">
            <Link to="/statements" className="button secondary">
              Statements
            </Link>
            <Link to={topicPath(started.table)} className="button">
              Open {started.table}
            </Link>
          </div>
        </div>
      ) : (
        <div className="form">
          <p className="muted">Records with the same values in these fields are duplicates; the first one (by event time) is kept.</p>
          <ErrorBox error={fields.error} />
          <fieldset className="field-choices">
            <legend>Fields</legend>
            {(fields.data ?? []).map((f) => (
              <label key={f.name} className="check">
                <input type="checkbox" name={f.name} checked={chosen.includes(f.name)} onChange={() => toggle(f.name)} />
                <span>{f.name}</span> <span className="muted small">{f.type}</span>
              </label>
            ))}
          </fieldset>
          {preview && (
            <>
              <p>
                Runs as statement <strong>{preview.statement}</strong>, writing table <strong>{preview.table}</strong>:
              </p>
              <pre className="sql" data-testid="dedup-sql">
                {preview.sql}
              </pre>
            </>
          )}
          <ErrorBox error={error} />
          <div className="buttons">
            <button className="secondary" onClick={onClose}>
              Cancel
            </button>
            <button className="secondary" disabled={busy || chosen.length === 0} onClick={() => void act(async () => setPreview(await api.previewDeduplicate(topic, chosen)))}>
              Show SQL
            </button>
            <button disabled={busy || !preview} onClick={() => void act(async () => setStarted(await api.runDeduplicate(topic, chosen)))}>
              {busy ? 'Working…' : 'Confirm and run'}
            </button>
          </div>
        </div>
      )}
    </Modal>
  );
}
