import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TimeHeap, type Timed } from '../../../src/engine/operators/join/time-heap.ts';
import { TwoInputWatermarks } from '../../../src/engine/operators/join/two-input-watermarks.ts';
import { checkJoinOptions, joinRows } from '../../../src/engine/operators/join/join-rows.ts';
import { isShiftleftError } from '../../../src/common/errors.ts';
import { random } from './join-harness.ts';

describe('join helpers', () => {
  it('TimeHeap pops by time, then arrival', () => {
    const next = random(7);
    const heap = new TimeHeap<Timed>();
    const items: Timed[] = [];
    for (let seq = 0; seq < 500; seq++) {
      const item = { time: Math.floor(next() * 50), seq };
      items.push(item);
      heap.push(item);
    }
    const popped: Timed[] = [];
    for (let item = heap.pop(); item !== undefined; item = heap.pop()) popped.push(item);
    assert.deepEqual(popped, [...items].sort((a, b) => a.time - b.time || a.seq - b.seq));
    assert.equal(heap.size, 0);
  });

  it('TwoInputWatermarks: minimum of both, only forward, snapshots infinities', () => {
    const marks = new TwoInputWatermarks();
    assert.equal(marks.combined, -Infinity);
    assert.equal(marks.advance(0, 10), true);
    assert.equal(marks.advance(0, 5), false);
    assert.equal(marks.combined, -Infinity);
    marks.advance(1, Infinity);
    assert.equal(marks.combined, 10);
    const copy = new TwoInputWatermarks();
    copy.restore(JSON.parse(JSON.stringify(marks.snapshot())));
    assert.deepEqual([copy.left, copy.right], [10, Infinity]);
    const empty = new TwoInputWatermarks();
    empty.restore(JSON.parse(JSON.stringify(new TwoInputWatermarks().snapshot())));
    assert.equal(empty.combined, -Infinity);
  });

  it('joinRows and option checks', () => {
    assert.deepEqual(joinRows([1, 'a'], [null]), [1, 'a', null]);
    assert.throws(
      () => checkJoinOptions('X', { joinType: 'SEMI', leftArity: 1, rightArity: 1 }),
      (e) => isShiftleftError(e, 'SQL_PLAN_ERROR'),
    );
  });
});
