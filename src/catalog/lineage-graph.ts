/**
 * Stream lineage, derived from what runs rather than declared: connectors (sources write topics,
 * sinks read them), SQL statements (the tables each one reads and writes, from its SQL), and data
 * contracts (a rule with a `dlq.topic` param on `<topic>-value` sends that topic's bad records to
 * the DLQ). The graph is JSON: nodes with stable ids and edges in the direction data flows.
 */
import type { Registry } from '../registry/registry.ts';
import type { Rule } from '../registry/types.ts';
import type { ConnectorLineage } from './connector-lineage.ts';
import { statementTables } from './statement-tables.ts';

export type LineageNodeKind = 'source' | 'sink' | 'topic' | 'dlq' | 'statement';

export interface LineageNode {
  /** `connector:<name>`, `topic:<name>` (DLQs too) or `statement:<name>`. */
  id: string;
  kind: LineageNodeKind;
  name: string;
  /** Connector type, statement status, ... */
  details?: Record<string, string>;
}

export interface LineageEdge {
  from: string;
  to: string;
  /** produces (source → topic), consumes (topic → sink), reads (table → statement), writes (statement → table), dlq (topic or sink → DLQ). */
  kind: 'produces' | 'consumes' | 'reads' | 'writes' | 'dlq';
  /** For dlq edges: the rule that sends records there. */
  rule?: string;
}

export interface LineageGraph {
  nodes: LineageNode[];
  edges: LineageEdge[];
}

export interface StatementInfo {
  name: string;
  sql: string;
  status: string;
}

export interface LineageInputs {
  connectors: ConnectorLineage[];
  statements: StatementInfo[];
  registry: Pick<Registry, 'schemas'>;
}

const topicId = (name: string) => `topic:${name}`;

/** The DLQ rules of each topic's value contract (latest version). */
export function dlqRoutes(registry: Pick<Registry, 'schemas'>): { topic: string; dlq: string; rule: string }[] {
  const routes: { topic: string; dlq: string; rule: string }[] = [];
  for (const subject of registry.schemas.subjects()) {
    if (!subject.endsWith('-value')) continue;
    const latest = registry.schemas.getVersion(subject, 'latest');
    const rules: Rule[] = [...(latest.ruleSet?.domainRules ?? []), ...(latest.ruleSet?.migrationRules ?? [])];
    for (const rule of rules) {
      const dlq = rule.params?.['dlq.topic'];
      if (dlq && !rule.disabled) routes.push({ topic: subject.slice(0, -'-value'.length), dlq, rule: rule.name });
    }
  }
  return routes;
}

export function buildLineage(inputs: LineageInputs): LineageGraph {
  const nodes = new Map<string, LineageNode>();
  const edges = new Map<string, LineageEdge>();
  const node = (n: LineageNode) => {
    const existing = nodes.get(n.id);
    // A topic that is also a DLQ is shown as a DLQ.
    if (!existing || (existing.kind === 'topic' && n.kind === 'dlq')) nodes.set(n.id, n);
  };
  const topic = (name: string) => node({ id: topicId(name), kind: 'topic', name });
  const edge = (e: LineageEdge) => edges.set(`${e.from}|${e.to}|${e.kind}|${e.rule ?? ''}`, e);

  for (const c of inputs.connectors) {
    const id = `connector:${c.name}`;
    node({ id, kind: c.kind, name: c.name, details: { type: c.type, state: c.state } });
    for (const t of c.topics) {
      topic(t);
      edge(c.kind === 'source' ? { from: id, to: topicId(t), kind: 'produces' } : { from: topicId(t), to: id, kind: 'consumes' });
    }
    for (const dlq of c.dlqTopics) {
      node({ id: topicId(dlq), kind: 'dlq', name: dlq });
      edge({ from: id, to: topicId(dlq), kind: 'dlq' });
    }
  }
  for (const s of inputs.statements) {
    const { reads, writes } = statementTables(s.sql);
    if (reads.length === 0 && writes.length === 0) continue;
    const id = `statement:${s.name}`;
    node({ id, kind: 'statement', name: s.name, details: { status: s.status } });
    for (const t of reads) {
      topic(t);
      edge({ from: topicId(t), to: id, kind: 'reads' });
    }
    for (const t of writes) {
      topic(t);
      edge({ from: id, to: topicId(t), kind: 'writes' });
    }
  }
  for (const route of dlqRoutes(inputs.registry)) {
    topic(route.topic);
    node({ id: topicId(route.dlq), kind: 'dlq', name: route.dlq });
    edge({ from: topicId(route.topic), to: topicId(route.dlq), kind: 'dlq', rule: route.rule });
  }
  const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
  return {
    nodes: [...nodes.values()].sort(byId),
    edges: [...edges.values()].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.kind.localeCompare(b.kind)),
  };
}
