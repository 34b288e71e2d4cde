/** The portal's actions in one place: pick a topic, then tag, encrypt or deduplicate it. */
import { useState } from 'react';
import { api } from '../api.ts';
import { DataProductDialog } from '../actions/data-product-dialog.tsx';
import { DeduplicateDialog } from '../actions/deduplicate-dialog.tsx';
import { EncryptFieldDialog } from '../actions/encrypt-field-dialog.tsx';
import { PageHeader } from '../components/common.tsx';
import { useLoad } from '../hooks.ts';

type Action = 'product' | 'encrypt' | 'dedup';

const ACTIONS: { id: Action; title: string; text: string; needsContract: boolean }[] = [
  { id: 'product', title: 'Tag as DataProduct', text: 'Publish a topic as a data product, with an owner and a description, in the Stream Catalog.', needsContract: false },
  { id: 'encrypt', title: 'Encrypt field', text: 'Tag a field PII and add an ENCRYPT rule to the contract: producers write ciphertext.', needsContract: true },
  { id: 'dedup', title: 'Deduplicate topic', text: 'Choose the fields that identify a record, review the SQL, and run a statement keeping the first of each.', needsContract: true },
];

export function ActionsPage() {
  const topics = useLoad(() => api.topics(), []);
  const subjects = useLoad(() => api.registry.subjects(), []);
  const [topic, setTopic] = useState('');
  const [open, setOpen] = useState<Action>();
  const hasContract = subjects.data?.includes(`${topic}-value`) ?? false;

  return (
    <>
      <PageHeader title="Actions" subtitle="Shift-left governance in a few clicks." />
      <label className="inline">
        Topic{' '}
        <select value={topic} onChange={(e) => setTopic(e.target.value)} aria-label="topic">
          <option value="">Choose a topic…</option>
          {(topics.data ?? []).map((t) => (
            <option key={t.name}>{t.name}</option>
          ))}
        </select>
      </label>
      <div className="cards">
        {ACTIONS.map((a) => (
          <article key={a.id} className="card action">
            <h2>{a.title}</h2>
            <p className="muted">{a.text}</p>
            <button disabled={!topic || (a.needsContract && !hasContract)} onClick={() => setOpen(a.id)} title={topic && a.needsContract && !hasContract ? 'this topic has no value contract' : undefined}>
              {a.title}
            </button>
          </article>
        ))}
      </div>
      {open === 'product' && <DataProductDialog topic={topic} onClose={() => setOpen(undefined)} onDone={() => undefined} />}
      {open === 'encrypt' && <EncryptFieldDialog topic={topic} onClose={() => setOpen(undefined)} onDone={subjects.reload} />}
      {open === 'dedup' && <DeduplicateDialog topic={topic} onClose={() => setOpen(undefined)} />}
    </>
  );
}
