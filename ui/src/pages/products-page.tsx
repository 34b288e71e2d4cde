/** Data products: topics tagged DataProduct in the Stream Catalog, with owner and description. */
import { useState } from 'react';
import { api } from '../api.ts';
import { DataProductDialog } from '../actions/data-product-dialog.tsx';
import { Empty, ErrorBox, Loading, PageHeader } from '../components/common.tsx';
import { useLoad } from '../hooks.ts';
import { Link, subjectPath, topicPath } from '../router.tsx';

export function ProductsPage() {
  const products = useLoad(() => api.catalog.search({ tag: 'DataProduct', types: 'kafka_topic' }), [], 10000);
  const topics = useLoad(() => api.topics(), []);
  const [topic, setTopic] = useState('');
  const [tagging, setTagging] = useState<string>();
  const entities = products.data?.entities ?? [];
  const tagged = new Set(entities.map((e) => e.displayText));

  return (
    <>
      <PageHeader title="Data products" subtitle="Topics curated and governed as data products, tagged DataProduct in the Stream Catalog.">
        <select value={topic} onChange={(e) => setTopic(e.target.value)} aria-label="topic to tag">
          <option value="">Topic…</option>
          {(topics.data ?? [])
            .filter((t) => !tagged.has(t.name))
            .map((t) => (
              <option key={t.name}>{t.name}</option>
            ))}
        </select>
        <button disabled={!topic} onClick={() => setTagging(topic)}>
          Tag as DataProduct
        </button>
      </PageHeader>
      <ErrorBox error={products.error} />
      {products.loading && !products.data ? (
        <Loading what="data products" />
      ) : entities.length === 0 ? (
        <Empty>No data products yet: tag a topic as DataProduct.</Empty>
      ) : (
        <div className="cards" data-testid="products">
          {entities.map((e) => {
            const info = e.businessMetadata?.DataProductInfo ?? {};
            return (
              <article key={e.displayText} className="card product">
                <h2>
                  <Link to={topicPath(e.displayText)}>{e.displayText}</Link>
                </h2>
                <p>{info.description ?? <span className="muted">No description.</span>}</p>
                <dl className="config">
                  <div>
                    <dt>owner</dt>
                    <dd>{info.owner ?? '–'}</dd>
                  </div>
                  {info.domain && (
                    <div>
                      <dt>domain</dt>
                      <dd>{info.domain}</dd>
                    </div>
                  )}
                  {info.slo && (
                    <div>
                      <dt>SLO</dt>
                      <dd>{info.slo}</dd>
                    </div>
                  )}
                </dl>
                <Link to={subjectPath(`${e.displayText}-value`)} className="small">
                  contract →
                </Link>
              </article>
            );
          })}
        </div>
      )}
      {tagging && (
        <DataProductDialog
          topic={tagging}
          onClose={() => setTagging(undefined)}
          onDone={() => {
            setTopic('');
            products.reload();
          }}
        />
      )}
    </>
  );
}
