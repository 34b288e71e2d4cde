/**
 * A binary min-heap of buffered rows ordered by (time, seq): the interval join pops, in event
 * time order, the rows a watermark has made useless. Entries are the buffer's own objects, so a
 * push allocates nothing.
 */
import { MinHeap } from '../../state/min-heap.ts';

export interface Timed {
  time: number;
  /** Arrival number: breaks ties so that the order (and the output) is deterministic. */
  seq: number;
}

export class TimeHeap<T extends Timed> extends MinHeap<T> {
  constructor() {
    super(before);
  }
}

function before(a: Timed, b: Timed): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
