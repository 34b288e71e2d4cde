/** The exhaustive visitor helper: one handler per kind, checked by the compiler. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { visit, type DataType, type Handlers } from '../../../src/sql/ast.ts';
import { parseDataType } from '../../../src/sql/parser/index.ts';

const depth: Handlers<DataType, number> = {
  ScalarType: () => 1,
  IntervalType: () => 1,
  ArrayType: (t) => 1 + visit(t.element, depth),
  MultisetType: (t) => 1 + visit(t.element, depth),
  MapType: (t) => 1 + Math.max(visit(t.key, depth), visit(t.value, depth)),
  RowType: (t) => 1 + Math.max(0, ...t.fields.map((f) => visit(f.type, depth))),
};

describe('visit', () => {
  it('dispatches on kind', () => {
    assert.equal(visit(parseDataType('INT'), depth), 1);
    assert.equal(visit(parseDataType('MAP<STRING, ARRAY<ROW<a INT ARRAY>>>'), depth), 5);
  });

  it('rejects handler records that miss a kind at compile time', () => {
    // @ts-expect-error RowType has no handler: adding a kind to a union breaks every incomplete visitor.
    const incomplete: Handlers<DataType, number> = {
      ScalarType: () => 1,
      IntervalType: () => 1,
      ArrayType: () => 1,
      MultisetType: () => 1,
      MapType: () => 1,
    };
    assert.equal(Object.keys(incomplete).length, 5);
  });
});
