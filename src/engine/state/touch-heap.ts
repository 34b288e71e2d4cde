/**
 * A binary min-heap of (time, key) touches: KeyedState keeps here the access times that arrived
 * out of order (an entry read back from disk keeps its older time), so that TTL expiry still
 * finds them without scanning. Entries are not removed when a key is touched again: the reader
 * checks that a popped touch is still the key's current one.
 */
import { MinHeap } from './min-heap.ts';

export interface Touch {
  at: number;
  key: string;
}

export class TouchHeap extends MinHeap<Touch> {
  constructor() {
    super((a, b) => a.at < b.at);
  }
}
