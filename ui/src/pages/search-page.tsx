/** Search: the Stream Catalog (topics, schemas, records, fields by name, tag or owner) and subjects by name. */
import { useEffect, useState, type FormEvent } from 'react';
import { api, type CatalogEntity } from '../api.ts';
import { Empty, ErrorBox, PageHeader, Tag } from '../components/common.tsx';
import { navigate, Link, subjectPath, topicPath, useLocation } from '../router.tsx';

const TYPE_LABEL: Record<string, string> = { kafka_topic: 'topic', sr_schema: 'schema', sr_record: 'record', sr_field: 'field' };

/** The schema id in a schema, record or field entity's name (`100003:Sale.cc_number`). */
function schemaIdOf(e: CatalogEntity): number | undefined {
  if (e.typeName === 'kafka_topic') return undefined;
  const id = Number(String(e.attributes.qualifiedName ?? '').split(':')[0]);
  return Number.isInteger(id) ? id : undefined;
}

/** A link to the topic, or to the subject holding the schema (looked up by id). */
function EntityName({ entity }: { entity: CatalogEntity }) {
  const id = schemaIdOf(entity);
  const [subject, setSubject] = useState<{ subject: string; version: number }>();
  useEffect(() => {
    if (id === undefined) return;
    api.registry
      .subjectsOfId(id)
      .then((versions) => setSubject(versions.at(-1)))
      .catch(() => undefined);
  }, [id]);
  if (entity.typeName === 'kafka_topic') return <Link to={topicPath(entity.displayText)}>{entity.displayText}</Link>;
  return (
    <>
      {subject ? <Link to={subjectPath(subject.subject)}>{entity.displayText}</Link> : entity.displayText}
      {subject && (
        <span className="muted small">
          {' '}
          in {subject.subject} v{subject.version}
        </span>
      )}
    </>
  );
}

export function SearchPage() {
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const [text, setText] = useState(q);
  const [results, setResults] = useState<{ entities: CatalogEntity[]; subjects: string[] }>();
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    setText(q);
    if (!q) {
      setResults(undefined);
      return;
    }
    let cancelled = false;
    // A tag name finds what carries the tag; any text finds names containing it.
    Promise.all([api.catalog.search({ query: q }), api.catalog.search({ tag: q }).catch(() => ({ entities: [] as CatalogEntity[] })), api.registry.subjects()])
      .then(([byName, byTag, subjects]) => {
        if (cancelled) return;
        const seen = new Set<string>();
        const entities = [...byName.entities, ...byTag.entities].filter((e) => {
          const key = `${e.typeName}:${String(e.attributes.qualifiedName ?? e.displayText)}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
        setResults({ entities, subjects: subjects.filter((s) => s.toLowerCase().includes(q.toLowerCase())) });
        setError(undefined);
      })
      .catch((e: unknown) => !cancelled && setError(e));
    return () => {
      cancelled = true;
    };
  }, [q]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(`/search?q=${encodeURIComponent(text.trim())}`);
  };

  return (
    <>
      <PageHeader title="Search" subtitle="Topics, schemas and fields in the Stream Catalog, by name, tag or owner." />
      <form onSubmit={submit} className="search-form">
        <input name="q" value={text} onChange={(e) => setText(e.target.value)} placeholder="e.g. payments, PII, DataProduct, cc_number" autoFocus aria-label="search" />
        <button type="submit">Search</button>
      </form>
      <ErrorBox error={error} />
      {results &&
        (results.entities.length === 0 && results.subjects.length === 0 ? (
          <Empty>Nothing matches “{q}”.</Empty>
        ) : (
          <section className="card" data-testid="search-results">
            <table className="list">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Kind</th>
                  <th>Tags</th>
                  <th>Owner</th>
                </tr>
              </thead>
              <tbody>
                {results.entities.map((e) => {
                  return (
                    <tr key={`${e.typeName}:${String(e.attributes.qualifiedName ?? e.displayText)}`}>
                      <td className="strong">
                        <EntityName entity={e} />
                      </td>
                      <td>{TYPE_LABEL[e.typeName] ?? e.typeName}</td>
                      <td>
                        {e.classificationNames.map((t) => (
                          <Tag key={t} name={t} />
                        ))}
                      </td>
                      <td>{e.businessMetadata?.DataProductInfo?.owner ?? ''}</td>
                    </tr>
                  );
                })}
                {results.subjects.map((s) => (
                  <tr key={`subject:${s}`}>
                    <td className="strong">
                      <Link to={subjectPath(s)}>{s}</Link>
                    </td>
                    <td>subject</td>
                    <td />
                    <td />
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ))}
    </>
  );
}
