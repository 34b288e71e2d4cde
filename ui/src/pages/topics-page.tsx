/** Every topic with its partitions, records and catalog tags, refreshed every few seconds. */
import { useState } from 'react';
import { api } from '../api.ts';
import { Empty, ErrorBox, Loading, PageHeader, Tag, formatNumber } from '../components/common.tsx';
import { useLoad } from '../hooks.ts';
import { Link, topicPath } from '../router.tsx';

export function TopicsPage() {
  const topics = useLoad(() => api.topics(), [], 3000);
  const products = useLoad(() => api.catalog.search({ tag: 'DataProduct', types: 'kafka_topic' }), [], 10000);
  const lineage = useLoad(() => api.lineage(), [], 10000);
  const [filter, setFilter] = useState('');
  const productNames = new Set((products.data?.entities ?? []).map((e) => e.displayText));
  const dlqs = new Set((lineage.data?.nodes ?? []).filter((n) => n.kind === 'dlq').map((n) => n.name));
  const shown = (topics.data ?? []).filter((t) => t.name.toLowerCase().includes(filter.toLowerCase()));

  return (
    <>
      <PageHeader title="Topics" subtitle="The log: every topic, its partitions and records.">
        <input className="search-input" placeholder="Filter topics…" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Filter topics" />
      </PageHeader>
      <ErrorBox error={topics.error} />
      {topics.loading && !topics.data ? (
        <Loading what="topics" />
      ) : shown.length === 0 ? (
        <Empty>No topics{filter ? ` matching “${filter}”` : ''}.</Empty>
      ) : (
        <section className="card">
          <table className="list" data-testid="topics">
            <thead>
              <tr>
                <th>Topic</th>
                <th className="num">Partitions</th>
                <th className="num">Records</th>
                <th>Cleanup</th>
                <th>Tags</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((t) => (
                <tr key={t.name}>
                  <td>
                    <Link to={topicPath(t.name)} className="strong">
                      {t.name}
                    </Link>
                  </td>
                  <td className="num">{t.partitions}</td>
                  <td className="num">{formatNumber(t.records)}</td>
                  <td>{t.cleanupPolicy}</td>
                  <td>
                    {productNames.has(t.name) && <Tag name="DataProduct" />}
                    {dlqs.has(t.name) && <Tag name="DLQ" />}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </>
  );
}
