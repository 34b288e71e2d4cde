/** One subject: its versions, fields with their tags, contract metadata and rules, and Evolve. */
import { useEffect, useState } from 'react';
import { api, type Rule, type SchemaVersion } from '../api.ts';
import { ErrorBox, Loading, PageHeader, Tag } from '../components/common.tsx';
import { useLoad } from '../hooks.ts';
import { Link, topicPath } from '../router.tsx';
import { avroFields, prettySchema } from '../schema-fields.ts';
import { EvolvePanel } from './evolve-panel.tsx';

function RulesTable({ rules }: { rules: Rule[] }) {
  if (rules.length === 0) return <p className="muted">No rules.</p>;
  return (
    <table className="list" data-testid="rules">
      <thead>
        <tr>
          <th>Rule</th>
          <th>Kind · type · mode</th>
          <th>Applies to</th>
          <th>On failure</th>
        </tr>
      </thead>
      <tbody>
        {rules.map((r) => (
          <tr key={r.name} className={r.disabled ? 'disabled' : undefined}>
            <td className="strong">{r.name}</td>
            <td>
              {r.kind} · {r.type} · {r.mode}
            </td>
            <td>
              {r.expr && <code className="expr">{r.expr}</code>}
              {(r.tags ?? []).map((t) => (
                <Tag key={t} name={t} />
              ))}
              {Object.entries(r.params ?? {}).map(([k, v]) => (
                <div key={k} className="muted small">
                  {k} = {v}
                </div>
              ))}
            </td>
            <td>{r.onFailure ?? '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function VersionView({ version }: { version: SchemaVersion }) {
  const fields = (version.schemaType ?? 'AVRO') === 'AVRO' ? avroFields(version.schema) : [];
  const tags = version.metadata?.tags ?? {};
  const rules = [...(version.ruleSet?.domainRules ?? []), ...(version.ruleSet?.migrationRules ?? [])];
  return (
    <div className="grid-2">
      <section className="card">
        <div className="card-header">
          <h2>Fields</h2>
        </div>
        {fields.length === 0 ? (
          <pre className="schema">{prettySchema(version.schema)}</pre>
        ) : (
          <table className="list" data-testid="fields">
            <thead>
              <tr>
                <th>Field</th>
                <th>Type</th>
                <th>Tags</th>
              </tr>
            </thead>
            <tbody>
              {fields.map((f) => (
                <tr key={f.path}>
                  <td className="mono" title={f.path}>
                    {f.name}
                  </td>
                  <td className="mono muted">{f.type}</td>
                  <td>
                    {(tags[f.path] ?? []).map((t) => (
                      <Tag key={t} name={t} />
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card">
        <div className="card-header">
          <h2>Contract</h2>
          <span className="muted small">
            version {version.version} · schema id {version.id}
          </span>
        </div>
        {Object.keys(version.metadata?.properties ?? {}).length > 0 && (
          <dl className="config">
            {Object.entries(version.metadata?.properties ?? {}).map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        )}
        <h3>Rules</h3>
        <RulesTable rules={rules} />
      </section>
      {fields.length > 0 && (
        <details className="card span-2">
          <summary>Schema text</summary>
          <pre className="schema">{prettySchema(version.schema)}</pre>
        </details>
      )}
    </div>
  );
}

export function SubjectPage({ subject }: { subject: string }) {
  const versions = useLoad(() => api.registry.versions(subject), [subject]);
  const level = useLoad(() => api.registry.compatibilityLevel(subject), [subject]);
  const [selected, setSelected] = useState<number>();
  const [evolving, setEvolving] = useState(false);
  const latestNumber = versions.data?.at(-1);
  const shownNumber = selected ?? latestNumber;
  const version = useLoad(async () => (shownNumber === undefined ? undefined : api.registry.version(subject, shownNumber)), [subject, shownNumber]);
  const latest = useLoad(async () => (latestNumber === undefined ? undefined : api.registry.version(subject, latestNumber)), [subject, latestNumber]);
  useEffect(() => setSelected(undefined), [subject]);
  const topic = subject.replace(/-(key|value)$/, '');

  return (
    <>
      <PageHeader
        title={
          <>
            <Link to="/schemas" className="crumb">
              Schemas
            </Link>{' '}
            / {subject}
          </>
        }
        subtitle={
          <>
            {version.data?.schemaType ?? 'AVRO'} · compatibility {level.data?.compatibilityLevel ?? '…'} · topic <Link to={topicPath(topic)}>{topic}</Link>
          </>
        }
      >
        <button onClick={() => setEvolving(true)} disabled={!latest.data || evolving}>
          Evolve
        </button>
      </PageHeader>
      <ErrorBox error={versions.error ?? version.error} />
      {versions.data && versions.data.length > 1 && (
        <nav className="tabs" aria-label="versions">
          {versions.data.map((v) => (
            <button key={v} className={v === shownNumber ? 'tab active' : 'tab'} onClick={() => setSelected(v)}>
              v{v}
            </button>
          ))}
        </nav>
      )}
      {evolving && latest.data && (
        <EvolvePanel
          latest={latest.data}
          onCancel={() => setEvolving(false)}
          onSaved={() => {
            setEvolving(false);
            setSelected(undefined);
            versions.reload();
          }}
        />
      )}
      {version.data ? <VersionView version={version.data} /> : version.loading && <Loading what="the schema" />}
    </>
  );
}
