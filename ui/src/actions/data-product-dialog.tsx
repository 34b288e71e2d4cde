/** "Tag as DataProduct": the DataProduct tag and its owner, description, domain and SLO. */
import { useState, type FormEvent } from 'react';
import { api } from '../api.ts';
import { ErrorBox, Modal } from '../components/common.tsx';

export function DataProductDialog({ topic, onClose, onDone }: { topic: string; onClose: () => void; onDone: () => void }) {
  const [owner, setOwner] = useState('');
  const [description, setDescription] = useState('');
  const [domain, setDomain] = useState('');
  const [slo, setSlo] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api.createDataProduct({ topic, owner: owner.trim(), ...(description && { description }), ...(domain && { domain }), ...(slo && { slo }) });
      onDone();
      onClose();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={`Tag ${topic} as DataProduct`} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} className="form">
        <p className="muted">The topic is tagged DataProduct in the Stream Catalog, with its ownership as business metadata.</p>
        <label>
          Owner <span className="required">*</span>
          <input name="owner" value={owner} onChange={(e) => setOwner(e.target.value)} placeholder="e.g. commerce-team" required autoFocus />
        </label>
        <label>
          Description
          <textarea name="description" value={description} onChange={(e) => setDescription(e.target.value)} rows={2} placeholder="What consumers find in it" />
        </label>
        <div className="row">
          <label>
            Domain
            <input name="domain" value={domain} onChange={(e) => setDomain(e.target.value)} placeholder="e.g. sales" />
          </label>
          <label>
            SLO
            <input name="slo" value={slo} onChange={(e) => setSlo(e.target.value)} placeholder="e.g. fresh within 1 min" />
          </label>
        </div>
        <ErrorBox error={error} />
        <div className="buttons">
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" disabled={busy || owner.trim() === ''}>
            {busy ? 'Tagging…' : 'Tag as DataProduct'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
