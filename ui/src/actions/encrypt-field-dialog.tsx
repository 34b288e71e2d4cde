/** "Encrypt field": tags a field (PII by default) and adds the contract's ENCRYPT rule for that tag. */
import { useState, type FormEvent } from 'react';
import { api } from '../api.ts';
import { ErrorBox, Modal } from '../components/common.tsx';
import { useLoad } from '../hooks.ts';

export function EncryptFieldDialog({ topic, onClose, onDone }: { topic: string; onClose: () => void; onDone: () => void }) {
  const fields = useLoad(() => api.deduplicateFields(topic), [topic]);
  const [field, setField] = useState('');
  const [tag, setTag] = useState('PII');
  const [kekName, setKekName] = useState('CSFLE_Key');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const textFields = (fields.data ?? []).filter((f) => /^(VARCHAR|STRING|CHAR|BYTES|VARBINARY)/.test(f.type));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const result = await api.encryptField({ topic, field, tag, kekName });
      setDone(`${result.subject} version ${result.version}: ${result.fieldPath} tagged ${tag} and encrypted with KEK ${kekName}${result.kekCreated ? ' (created)' : ''}.`);
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={`Encrypt a field of ${topic}`} onClose={onClose}>
      {done ? (
        <div className="form">
          <div className="success">{done}</div>
          <p className="muted">Producers holding the KMS secret now write ciphertext; readers without it (such as this portal) see ciphertext.</p>
          <div className="buttons">
            <button onClick={onClose}>Close</button>
          </div>
        </div>
      ) : (
        <form onSubmit={(e) => void submit(e)} className="form">
          <p className="muted">A compatible evolution of the topic's value contract: the field gets the tag, and an ENCRYPT rule encrypts every field with that tag.</p>
          <ErrorBox error={fields.error} />
          <label>
            Field <span className="required">*</span>
            <select name="field" value={field} onChange={(e) => setField(e.target.value)} required>
              <option value="">Choose a string field…</option>
              {textFields.map((f) => (
                <option key={f.name} value={f.name}>
                  {f.name} ({f.type})
                </option>
              ))}
            </select>
          </label>
          <div className="row">
            <label>
              Tag
              <input name="tag" value={tag} onChange={(e) => setTag(e.target.value)} />
            </label>
            <label>
              KEK
              <input name="kek" value={kekName} onChange={(e) => setKekName(e.target.value)} />
            </label>
          </div>
          <ErrorBox error={error} />
          <div className="buttons">
            <button type="button" className="secondary" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" disabled={busy || field === ''}>
              {busy ? 'Encrypting…' : 'Encrypt field'}
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}
