/** Subjects of the schema registry with their latest version, contract tags and rules. */
import { useState } from 'react';
import { api } from '../api.ts';
import { Empty, ErrorBox, Loading, PageHeader, Tag } from '../components/common.tsx';
import { useLoad } from '../hooks.ts';
import { Link, subjectPath } from '../router.tsx';

export function SchemasPage() {
  const schemas = useLoad(() => api.registry.latestSchemas(), [], 10000);
  const [filter, setFilter] = useState('');
  const shown = (schemas.data ?? []).filter((s) => s.subject.toLowerCase().includes(filter.toLowerCase())).sort((a, b) => a.subject.localeCompare(b.subject));

  return (
    <>
      <PageHeader title="Schemas and contracts" subtitle="Every subject of the schema registry: its latest schema, metadata tags and rules.">
        <input className="search-input" placeholder="Filter subjects…" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Filter subjects" />
      </PageHeader>
      <ErrorBox error={schemas.error} />
      {schemas.loading && !schemas.data ? (
        <Loading what="subjects" />
      ) : shown.length === 0 ? (
        <Empty>No subjects{filter ? ` matching “${filter}”` : ''}.</Empty>
      ) : (
        <section className="card">
          <table className="list" data-testid="subjects">
            <thead>
              <tr>
                <th>Subject</th>
                <th>Type</th>
                <th className="num">Version</th>
                <th className="num">Id</th>
                <th>Tagged fields</th>
                <th>Rules</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((s) => {
                const rules = [...(s.ruleSet?.domainRules ?? []), ...(s.ruleSet?.migrationRules ?? [])];
                return (
                  <tr key={s.subject}>
                    <td>
                      <Link to={subjectPath(s.subject)} className="strong">
                        {s.subject}
                      </Link>
                    </td>
                    <td>{s.schemaType ?? 'AVRO'}</td>
                    <td className="num">{s.version}</td>
                    <td className="num">{s.id}</td>
                    <td>
                      {Object.entries(s.metadata?.tags ?? {}).map(([path, tags]) => (
                        <span key={path} className="tagged-field">
                          {path.slice(path.lastIndexOf('.') + 1)} {tags.map((t) => <Tag key={t} name={t} />)}
                        </span>
                      ))}
                    </td>
                    <td>
                      {rules.map((r) => (
                        <span key={r.name} className="rule-chip" title={`${r.kind} ${r.type} ${r.mode}`}>
                          {r.name}
                        </span>
                      ))}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      )}
    </>
  );
}
