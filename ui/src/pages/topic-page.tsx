/** One topic: partitions and offsets, catalog tags, the portal's actions, and live messages. */
import { useState } from 'react';
import { api } from '../api.ts';
import { DataProductDialog } from '../actions/data-product-dialog.tsx';
import { DeduplicateDialog } from '../actions/deduplicate-dialog.tsx';
import { EncryptFieldDialog } from '../actions/encrypt-field-dialog.tsx';
import { ErrorBox, Loading, PageHeader, Tag, formatBytes, formatNumber } from '../components/common.tsx';
import { MessageStream } from '../components/message-stream.tsx';
import { useLoad } from '../hooks.ts';
import { Link, subjectPath } from '../router.tsx';

type Dialog = 'product' | 'encrypt' | 'dedup' | undefined;

export function TopicPage({ topic }: { topic: string }) {
  const description = useLoad(() => api.topic(topic), [topic], 3000);
  const tags = useLoad(() => api.catalog.topicTags(topic).catch(() => []), [topic]);
  const subjects = useLoad(() => api.registry.subjects(), [topic]);
  const lineage = useLoad(() => api.lineage(), [topic]);
  const [dialog, setDialog] = useState<Dialog>();
  const [showConfig, setShowConfig] = useState(false);

  const valueSubject = `${topic}-value`;
  const hasValueSchema = subjects.data?.includes(valueSubject) ?? false;
  const isDlq = (lineage.data?.nodes ?? []).some((n) => n.kind === 'dlq' && n.name === topic);
  const tagNames = (tags.data ?? []).map((t) => t.typeName);

  return (
    <>
      <PageHeader
        title={
          <>
            <Link to="/topics" className="crumb">
              Topics
            </Link>{' '}
            / {topic}
          </>
        }
        subtitle={
          <span className="tags-line" data-testid="topic-tags">
            {tagNames.map((t) => (
              <Tag key={t} name={t} />
            ))}
            {isDlq && <Tag name="DLQ" />}
            {subjects.data?.includes(`${topic}-key`) && (
              <Link to={subjectPath(`${topic}-key`)} className="pill">
                key schema
              </Link>
            )}
            {hasValueSchema && (
              <Link to={subjectPath(valueSubject)} className="pill">
                value contract
              </Link>
            )}
          </span>
        }
      >
        <button className="secondary" onClick={() => setDialog('product')} disabled={tagNames.includes('DataProduct')}>
          {tagNames.includes('DataProduct') ? 'DataProduct ✓' : 'Tag as DataProduct'}
        </button>
        <button className="secondary" onClick={() => setDialog('encrypt')} disabled={!hasValueSchema} title={hasValueSchema ? undefined : 'the topic has no value contract'}>
          Encrypt field
        </button>
        <button className="secondary" onClick={() => setDialog('dedup')} disabled={!hasValueSchema} title={hasValueSchema ? undefined : 'the topic has no value schema'}>
          Deduplicate
        </button>
      </PageHeader>
      <ErrorBox error={description.error} />
      {!description.data ? (
        description.loading && <Loading what="the topic" />
      ) : (
        <section className="card">
          <div className="card-header">
            <h2>Partitions</h2>
            <div className="spacer" />
            <button className="link" onClick={() => setShowConfig((s) => !s)}>
              {showConfig ? 'Hide configuration' : 'Configuration'}
            </button>
          </div>
          <table className="list" data-testid="partitions">
            <thead>
              <tr>
                <th>Partition</th>
                <th className="num">Start offset</th>
                <th className="num">End offset</th>
                <th className="num">Records</th>
                <th className="num">Size</th>
              </tr>
            </thead>
            <tbody>
              {description.data.partitions.map((p) => (
                <tr key={p.partition}>
                  <td>{p.partition}</td>
                  <td className="num">{formatNumber(p.logStartOffset)}</td>
                  <td className="num">{formatNumber(p.highWatermark)}</td>
                  <td className="num">{formatNumber(p.highWatermark - p.logStartOffset)}</td>
                  <td className="num">{formatBytes(p.sizeBytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {showConfig && (
            <dl className="config">
              {Object.entries(description.data.config).map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>{String(v)}</dd>
                </div>
              ))}
            </dl>
          )}
        </section>
      )}
      <MessageStream topic={topic} dlq={isDlq} />
      {dialog === 'product' && <DataProductDialog topic={topic} onClose={() => setDialog(undefined)} onDone={tags.reload} />}
      {dialog === 'encrypt' && <EncryptFieldDialog topic={topic} onClose={() => setDialog(undefined)} onDone={subjects.reload} />}
      {dialog === 'dedup' && <DeduplicateDialog topic={topic} onClose={() => setDialog(undefined)} />}
    </>
  );
}
