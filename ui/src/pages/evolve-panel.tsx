/**
 * Evolving a contract: edit the schema, its metadata (field tags, properties) and its rules,
 * check compatibility against the latest version (POST /compatibility/...), and only then save
 * the new version. Helpers tag a field and add an ENCRYPT rule without hand-editing JSON.
 */
import { useMemo, useState } from 'react';
import { api, type Metadata, type RuleSet, type SchemaVersion } from '../api.ts';
import { ErrorBox } from '../components/common.tsx';
import { avroFields, prettySchema } from '../schema-fields.ts';

type Check = { state: 'unchecked' } | { state: 'compatible'; snapshot: string } | { state: 'incompatible'; messages: string[] };

const pretty = (value: unknown) => JSON.stringify(value ?? {}, null, 2);

function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text === '' ? '{}' : text) as T;
  } catch (error) {
    throw new Error(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}

export function EvolvePanel({ latest, onCancel, onSaved }: { latest: SchemaVersion; onCancel: () => void; onSaved: (version: number) => void }) {
  const [schema, setSchema] = useState(() => prettySchema(latest.schema));
  const [metadata, setMetadata] = useState(() => pretty(latest.metadata));
  const [ruleSet, setRuleSet] = useState(() => pretty(latest.ruleSet));
  const [check, setCheck] = useState<Check>({ state: 'unchecked' });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [tagField, setTagField] = useState('');
  const [tagName, setTagName] = useState('PII');
  const [kekName, setKekName] = useState('CSFLE_Key');
  const isAvro = (latest.schemaType ?? 'AVRO') === 'AVRO';
  const fields = useMemo(() => (isAvro ? avroFields(schema) : []), [schema, isAvro]);
  const snapshot = `${schema}\u0000${metadata}\u0000${ruleSet}`;
  const checkedNow = check.state === 'compatible' && check.snapshot === snapshot;

  const body = () => ({
    schema,
    ...(latest.schemaType && latest.schemaType !== 'AVRO' && { schemaType: latest.schemaType }),
    ...(latest.references && latest.references.length > 0 && { references: latest.references }),
    metadata: parseJson<Metadata>(metadata, 'Metadata'),
    ruleSet: parseJson<RuleSet>(ruleSet, 'Rule set'),
  });

  const run = async (what: () => Promise<void>) => {
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

  const checkCompatibility = () =>
    run(async () => {
      const result = await api.registry.checkCompatibility(latest.subject, body());
      setCheck(result.is_compatible ? { state: 'compatible', snapshot } : { state: 'incompatible', messages: result.messages ?? [] });
    });

  const save = () =>
    run(async () => {
      await api.registry.register(latest.subject, body());
      const saved = await api.registry.version(latest.subject, 'latest');
      onSaved(saved.version);
    });

  const addTag = () =>
    run(async () => {
      const current = parseJson<Metadata>(metadata, 'Metadata');
      const tags = { ...(current.tags ?? {}) };
      tags[tagField] = [...new Set([...(tags[tagField] ?? []), tagName.trim()])];
      setMetadata(pretty({ ...current, tags }));
    });

  const addEncryptRule = () =>
    run(async () => {
      const current = parseJson<RuleSet>(ruleSet, 'Rule set');
      const rule = {
        name: `Encrypt_${tagName.trim()}`,
        kind: 'TRANSFORM',
        type: 'ENCRYPT',
        mode: 'WRITEREAD',
        tags: [tagName.trim()],
        params: { 'encrypt.kek.name': kekName, 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': kekName },
        onFailure: 'ERROR,NONE',
      };
      // First among the domain rules, so records a later rule sends to a DLQ are already encrypted.
      const others = (current.domainRules ?? []).filter((r) => r.name !== rule.name);
      setRuleSet(pretty({ ...current, domainRules: [rule, ...others] }));
    });

  return (
    <section className="card evolve" data-testid="evolve">
      <div className="card-header">
        <h2>Evolve {latest.subject}</h2>
        <span className="muted small">from version {latest.version}</span>
      </div>
      <div className="grid-2">
        <label className="stack">
          Schema
          <textarea className="code" name="schema" rows={16} value={schema} onChange={(e) => setSchema(e.target.value)} spellCheck={false} />
        </label>
        <div className="stack">
          {fields.length > 0 && (
            <div className="helper">
              <strong>Tag a field</strong>
              <div className="row">
                <select name="tag-field" value={tagField} onChange={(e) => setTagField(e.target.value)} aria-label="field to tag">
                  <option value="">Field…</option>
                  {fields.map((f) => (
                    <option key={f.path} value={f.path}>
                      {f.path}
                    </option>
                  ))}
                </select>
                <input name="tag-name" value={tagName} onChange={(e) => setTagName(e.target.value)} aria-label="tag" />
                <button className="secondary small" disabled={!tagField || !tagName.trim()} onClick={() => void addTag()}>
                  Add tag
                </button>
              </div>
              <strong>Encrypt fields tagged {tagName || '…'}</strong>
              <div className="row">
                <input name="kek-name" value={kekName} onChange={(e) => setKekName(e.target.value)} aria-label="KEK name" />
                <button className="secondary small" disabled={!tagName.trim() || !kekName.trim()} onClick={() => void addEncryptRule()}>
                  Add encryption rule
                </button>
              </div>
            </div>
          )}
          <label className="stack">
            Metadata (tags, properties)
            <textarea className="code" name="metadata" rows={6} value={metadata} onChange={(e) => setMetadata(e.target.value)} spellCheck={false} />
          </label>
          <label className="stack">
            Rule set
            <textarea className="code" name="ruleset" rows={8} value={ruleSet} onChange={(e) => setRuleSet(e.target.value)} spellCheck={false} />
          </label>
        </div>
      </div>
      <ErrorBox error={error} />
      {check.state === 'compatible' && (
        <div className={checkedNow ? 'success' : 'notice'} data-testid="compat-result">
          {checkedNow ? 'Compatible with the latest version: ready to save.' : 'Changed since the compatibility check: check again before saving.'}
        </div>
      )}
      {check.state === 'incompatible' && (
        <div className="error-box" data-testid="compat-result">
          <strong>Incompatible with the latest version</strong>
          <ul>
            {check.messages.map((m, i) => (
              <li key={i} className="mono small">
                {m}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="buttons">
        <button className="secondary" onClick={onCancel}>
          Cancel
        </button>
        <button className="secondary" disabled={busy} onClick={() => void checkCompatibility()}>
          Check compatibility
        </button>
        <button disabled={busy || !checkedNow} onClick={() => void save()} title={checkedNow ? undefined : 'check compatibility first'}>
          Save new version
        </button>
      </div>
    </section>
  );
}
