/**
 * A binary min-heap of (time, key) touches: KeyedState keeps here the access times that arrived
 * out of order (an entry read back from disk keeps its older time), so that TTL expiry still
 * finds them without scanning. Entries are not removed when a key is touched again: the reader
 * checks that a popped touch is still the key's current one.
 */
export interface Touch {
  at: number;
  key: string;
}

export class TouchHeap {
  private items: Touch[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Touch | undefined {
    return this.items[0];
  }

  push(item: Touch): void {
    const items = this.items;
    let at = items.length;
    items.push(item);
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (items[parent]!.at <= item.at) break;
      items[at] = items[parent]!;
      at = parent;
    }
    items[at] = item;
  }

  pop(): Touch | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    const n = items.length;
    let at = 0;
    while (true) {
      const left = 2 * at + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && items[right]!.at < items[left]!.at ? right : left;
      if (items[child]!.at >= last.at) break;
      items[at] = items[child]!;
      at = child;
    }
    items[at] = last;
    return top;
  }

  /** Keeps only the touches `live` accepts (drops the stale ones), restoring heap order. */
  retain(live: (touch: Touch) => boolean): void {
    const kept = this.items.filter(live);
    this.items = [];
    for (const t of kept) this.push(t);
  }

  clear(): void {
    this.items = [];
  }
}
