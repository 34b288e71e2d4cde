/** Dead-letter queues: the topics data contracts send refused records to, with the rule and the reason. */
import { api } from '../api.ts';
import { Empty, ErrorBox, Loading, PageHeader } from '../components/common.tsx';
import { MessageStream } from '../components/message-stream.tsx';
import { useLoad } from '../hooks.ts';
import { Link, topicPath } from '../router.tsx';

export function DlqPage({ topic }: { topic?: string }) {
  const lineage = useLoad(() => api.lineage(), [], 10000);
  const dlqs = (lineage.data?.nodes ?? []).filter((n) => n.kind === 'dlq').map((n) => n.name);
  const selected = topic ?? dlqs[0];
  const routes = (lineage.data?.edges ?? []).filter((e) => e.kind === 'dlq' && e.to === `topic:${selected}`);

  return (
    <>
      <PageHeader title="Dead-letter queues" subtitle="Records refused by a data contract, with the rule that refused them (__rule.* headers)." />
      <ErrorBox error={lineage.error} />
      {lineage.loading && !lineage.data ? (
        <Loading what="DLQs" />
      ) : !selected ? (
        <Empty>No contract sends records to a DLQ yet (a rule with the dlq.topic parameter and onFailure DLQ).</Empty>
      ) : (
        <>
          <nav className="tabs">
            {[...new Set([...dlqs, selected])].map((name) => (
              <Link key={name} to={`/dlq/${encodeURIComponent(name)}`} className={name === selected ? 'tab active' : 'tab'}>
                {name}
              </Link>
            ))}
          </nav>
          <p className="muted">
            {routes.length > 0
              ? routes.map((r, i) => (
                  <span key={i}>
                    {i > 0 && ', '}rule <strong>{r.rule ?? '?'}</strong> of {r.from.replace(/^\w+:/, '')}
                  </span>
                ))
              : 'No contract currently routes records here.'}{' '}
            · <Link to={topicPath(selected)}>topic details</Link>
          </p>
          <MessageStream topic={selected} dlq />
        </>
      )}
    </>
  );
}
