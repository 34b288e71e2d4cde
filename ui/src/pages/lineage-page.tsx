/** The stream lineage graph (GET /v1/lineage), drawn as SVG: sources → topics → statements → topics → sinks, with DLQs. */
import { api, type LineageNode } from '../api.ts';
import { Empty, ErrorBox, Loading, PageHeader } from '../components/common.tsx';
import { useLoad } from '../hooks.ts';
import { layoutLineage, NODE_HEIGHT, NODE_WIDTH } from '../lineage-layout.ts';
import { navigate, topicPath } from '../router.tsx';

const KIND_LABEL: Record<LineageNode['kind'], string> = { source: 'source connector', sink: 'sink connector', topic: 'topic', dlq: 'dead-letter queue', statement: 'SQL statement' };

function target(node: LineageNode): string {
  if (node.kind === 'topic' || node.kind === 'dlq') return topicPath(node.name);
  if (node.kind === 'statement') return '/statements';
  return '/connectors';
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function LineagePage() {
  const graph = useLoad(() => api.lineage(), [], 5000);
  // Laid out on every poll: a few dozen nodes take well under a millisecond, and the layout is deterministic.
  const layout = graph.data ? layoutLineage(graph.data) : undefined;
  const nodes = graph.data?.nodes ?? [];

  return (
    <>
      <PageHeader title="Lineage" subtitle="How data flows, derived from what runs: connectors, SQL statements and the DLQ rules of contracts.">
        <div className="legend">
          {(Object.keys(KIND_LABEL) as LineageNode['kind'][]).map((k) => (
            <span key={k} className={`legend-item kind-${k}`}>
              {KIND_LABEL[k]}
            </span>
          ))}
        </div>
      </PageHeader>
      <ErrorBox error={graph.error} />
      {graph.loading && !graph.data ? (
        <Loading what="the lineage" />
      ) : nodes.length === 0 || !layout ? (
        <Empty>Nothing flows yet: start connectors or statements.</Empty>
      ) : (
        <section className="card lineage">
          <svg width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`} role="img" aria-label="lineage graph" data-testid="lineage">
            <defs>
              <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                <path d="M0,0 L10,5 L0,10 z" className="arrow-head" />
              </marker>
            </defs>
            {(graph.data?.edges ?? []).map((e, i) =>
              layout.paths[i] ? (
                <path key={i} d={layout.paths[i]} className={`edge edge-${e.kind}`} markerEnd="url(#arrow)">
                  <title>{`${e.from} → ${e.to} (${e.kind}${e.rule ? `, rule ${e.rule}` : ''})`}</title>
                </path>
              ) : null,
            )}
            {nodes.map((n) => {
              const p = layout.nodes.get(n.id);
              if (!p) return null;
              const detail = n.details?.status ?? n.details?.state ?? '';
              return (
                <g key={n.id} className={`node kind-${n.kind}`} transform={`translate(${p.x},${p.y})`} onClick={() => navigate(target(n))} data-node={n.id}>
                  <title>{`${KIND_LABEL[n.kind]} ${n.name}${n.details ? ` ${JSON.stringify(n.details)}` : ''}`}</title>
                  <rect width={NODE_WIDTH} height={NODE_HEIGHT} rx={8} />
                  <text x={12} y={18} className="node-name">
                    {clip(n.name, 22)}
                  </text>
                  <text x={12} y={34} className="node-kind">
                    {KIND_LABEL[n.kind]}
                    {detail ? ` · ${detail}` : ''}
                  </text>
                </g>
              );
            })}
          </svg>
        </section>
      )}
    </>
  );
}
