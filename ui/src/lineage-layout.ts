/**
 * A layered left-to-right layout of the lineage graph, by hand (it is small): each node's layer
 * is its longest distance from a node nothing flows into; an edge spanning several layers gets
 * a waypoint in each layer it crosses, so it runs between boxes instead of behind them; nodes
 * and waypoints in a layer are ordered by the average position of their neighbours (a few
 * barycenter sweeps reduce crossings); edges are curves from box to waypoint to box.
 */

export interface LayoutInput {
  nodes: { id: string }[];
  edges: { from: string; to: string }[];
}

export interface PlacedNode {
  id: string;
  layer: number;
  x: number;
  y: number;
}

export interface Layout {
  nodes: Map<string, PlacedNode>;
  width: number;
  height: number;
  /** SVG path data per edge, in the order of the input edges. */
  paths: string[];
}

export const NODE_WIDTH = 176;
export const NODE_HEIGHT = 44;
/** The vertical room a waypoint takes in its layer. */
const WAYPOINT_HEIGHT = 10;
const GAP_X = 64;
const GAP_Y = 18;
const MARGIN = 20;

function layers(input: LayoutInput): Map<string, number> {
  const layer = new Map(input.nodes.map((n) => [n.id, 0]));
  const edges = input.edges.filter((e) => layer.has(e.from) && layer.has(e.to) && e.from !== e.to);
  // Longest path by relaxation; at most |nodes| rounds, so a cycle cannot loop forever.
  for (let round = 0; round < input.nodes.length; round++) {
    let changed = false;
    for (const e of edges) {
      const wanted = layer.get(e.from)! + 1;
      if (wanted > layer.get(e.to)! && wanted < input.nodes.length) {
        layer.set(e.to, wanted);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return layer;
}

const waypointId = (edge: number, layer: number) => `\u0000edge${edge}@${layer}`;

export function layoutLineage(input: LayoutInput): Layout {
  const layerOf = layers(input);
  const columns: string[][] = [];
  const place = (id: string, layer: number) => (columns[layer] ??= []).push(id);
  for (const n of input.nodes) place(n.id, layerOf.get(n.id)!);
  const neighbours = new Map<string, string[]>();
  const link = (a: string, b: string) => {
    (neighbours.get(a) ?? neighbours.set(a, []).get(a)!).push(b);
    (neighbours.get(b) ?? neighbours.set(b, []).get(b)!).push(a);
  };
  // Each edge as a chain through its waypoints.
  const chains = input.edges.map((e, i) => {
    const from = layerOf.get(e.from);
    const to = layerOf.get(e.to);
    if (from === undefined || to === undefined) return [];
    const chain = [e.from];
    for (let layer = from + 1; layer < to; layer++) {
      const id = waypointId(i, layer);
      place(id, layer);
      chain.push(id);
    }
    chain.push(e.to);
    for (let k = 1; k < chain.length; k++) link(chain[k - 1]!, chain[k]!);
    return chain;
  });
  const dense = columns.filter((c) => c !== undefined);
  const isWaypoint = (id: string) => id.startsWith('\u0000');
  const heightOf = (id: string) => (isWaypoint(id) ? WAYPOINT_HEIGHT : NODE_HEIGHT);

  const position = new Map<string, number>();
  dense.forEach((column) => column.forEach((id, i) => position.set(id, i)));
  for (let sweep = 0; sweep < 6; sweep++) {
    for (const column of sweep % 2 === 0 ? dense : [...dense].reverse()) {
      const weight = (id: string) => {
        const around = (neighbours.get(id) ?? []).map((n) => position.get(n)!).filter((p) => p !== undefined);
        return around.length === 0 ? position.get(id)! : around.reduce((a, b) => a + b, 0) / around.length;
      };
      const weights = new Map(column.map((id) => [id, weight(id)]));
      column.sort((a, b) => weights.get(a)! - weights.get(b)! || a.localeCompare(b));
      column.forEach((id, i) => position.set(id, i));
    }
  }

  const columnHeight = (column: string[]) => column.reduce((sum, id) => sum + heightOf(id), 0) + Math.max(0, column.length - 1) * GAP_Y;
  const height = MARGIN * 2 + Math.max(NODE_HEIGHT, ...dense.map(columnHeight));
  const all = new Map<string, PlacedNode>();
  dense.forEach((column, layer) => {
    let y = (height - columnHeight(column)) / 2;
    for (const id of column) {
      all.set(id, { id, layer, x: MARGIN + layer * (NODE_WIDTH + GAP_X), y });
      y += heightOf(id) + GAP_Y;
    }
  });
  const width = MARGIN * 2 + dense.length * NODE_WIDTH + Math.max(0, dense.length - 1) * GAP_X;
  const middle = (id: string) => all.get(id)!.y + heightOf(id) / 2;
  const curve = (x1: number, y1: number, x2: number, y2: number) => {
    const bend = (x2 - x1) / 2;
    return ` C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`;
  };

  const paths = input.edges.map((e, i) => {
    const chain = chains[i]!;
    const a = all.get(e.from);
    const b = all.get(e.to);
    if (!a || !b || chain.length === 0) return '';
    if (b.x <= a.x) {
      // A backward edge (a cycle): loop around below the boxes.
      const [x1, y1, x2, y2] = [a.x + NODE_WIDTH, middle(e.from), b.x, middle(e.to)];
      const drop = Math.max(y1, y2) + NODE_HEIGHT;
      return `M${x1},${y1} C${x1 + 60},${drop} ${x2 - 60},${drop} ${x2},${y2}`;
    }
    let x = a.x + NODE_WIDTH;
    let y = middle(e.from);
    let d = `M${x},${y}`;
    for (const id of chain.slice(1, -1)) {
      const w = all.get(id)!;
      d += curve(x, y, w.x, middle(id)) + ` L${w.x + NODE_WIDTH},${middle(id)}`;
      x = w.x + NODE_WIDTH;
      y = middle(id);
    }
    return d + curve(x, y, b.x, middle(e.to));
  });
  const nodes = new Map([...all].filter(([id]) => !isWaypoint(id)));
  return { nodes, width, height, paths };
}
