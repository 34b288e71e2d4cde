/**
 * The registry's write path on the log: one writer (concurrent requests get distinct versions
 * and one id per schema), acknowledgement only after the log stored the change (a failed
 * append changes nothing), and replay that ignores records of other writers' key types.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShiftleftError, isShiftleftError } from '../../src/common/errors.ts';
import { EmbeddedLog } from '../../src/log/embedded/embedded-log.ts';
import type { ProduceRecord, RecordMetadata } from '../../src/log/log-client.ts';
import { Registry } from '../../src/registry/registry.ts';
import { parseSchemaInput } from '../../src/registry/request-validation.ts';
import { SCHEMAS_TOPIC } from '../../src/registry/store/schemas-topic.ts';
import { testProviders } from './registry-harness.ts';

function recordSchema(fieldCount: number): string {
  const fields = Array.from({ length: fieldCount }, (_, i) => ({ name: `f${i}`, type: 'int', default: i }));
  return JSON.stringify({ type: 'record', name: 'R', fields });
}

describe('registry store on the log', () => {
  let dir: string;
  let log: EmbeddedLog;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shiftleft-store-'));
    log = await EmbeddedLog.open({ dir, maintenanceIntervalMs: 0 });
  });
  after(async () => {
    await log.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('creates _schemas compacted with one partition', async () => {
    const registry = await Registry.open(log, { providers: testProviders() });
    const topic = await log.describeTopic(SCHEMAS_TOPIC);
    assert.equal(topic.partitions.length, 1);
    assert.equal(topic.config['cleanup.policy'], 'compact');
    assert.equal(topic.internal, true);
    await registry.close();
  });

  test('concurrent writes are serialized', async () => {
    const registry = await Registry.open(log, { providers: testProviders() });
    const distinct = await Promise.all(
      Array.from({ length: 20 }, (_, i) => registry.schemas.register('concurrent', parseSchemaInput({ schema: recordSchema(i + 1) }))),
    );
    assert.deepEqual(distinct.map((v) => v.version).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));
    assert.equal(new Set(distinct.map((v) => v.id)).size, 20);

    const same = await Promise.all(Array.from({ length: 10 }, () => registry.schemas.register('same', parseSchemaInput({ schema: '"bytes"' }))));
    assert.equal(new Set(same.map((v) => `${v.id}/${v.version}`)).size, 1);
    assert.deepEqual(registry.schemas.versionNumbers('same'), [1]);
    await registry.close();
  });

  test('a failed append is reported and changes nothing', async () => {
    let failNext = false;
    const flaky = new Proxy(log, {
      get(target, property, receiver) {
        if (property === 'produce') {
          return async (topic: string, records: ProduceRecord[]): Promise<RecordMetadata[]> => {
            if (failNext) throw new ShiftleftError('BROKER_UNAVAILABLE', 'disk on fire');
            return target.produce(topic, records);
          };
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const registry = await Registry.open(flaky, { providers: testProviders() });
    failNext = true;
    await assert.rejects(registry.schemas.register('flaky', parseSchemaInput({ schema: '"int"' })), (e: unknown) => isShiftleftError(e, 'BROKER_UNAVAILABLE'));
    await assert.rejects(registry.deks.createKek({ name: 'k', kmsType: 'local-kms', kmsKeyId: 'x' }), (e: unknown) => isShiftleftError(e, 'BROKER_UNAVAILABLE'));
    assert.ok(!registry.schemas.subjects({ deleted: true }).includes('flaky'));
    assert.deepEqual(registry.deks.listKeks({ deleted: true }), []);
    // The writer is not stuck after a failure.
    failNext = false;
    assert.equal((await registry.schemas.register('flaky', parseSchemaInput({ schema: '"int"' }))).version, 1);
    await registry.close();
    await assert.rejects(registry.schemas.register('flaky', parseSchemaInput({ schema: '"long"' })), (e: unknown) => isShiftleftError(e, 'CLOSED'));
  });

  test('refuses a state topic that is not compacted', async () => {
    await log.createTopic('_schemas_wrong', { config: { 'cleanup.policy': 'delete' } });
    await assert.rejects(Registry.open(log, { providers: testProviders(), topic: '_schemas_wrong' }), (e: unknown) => isShiftleftError(e, 'INVALID_TOPIC_CONFIG'));
  });

  test('replay skips records it does not know (e.g. Confluent NOOP keys)', async () => {
    await log.produce(SCHEMAS_TOPIC, [{ key: Buffer.from('{"keytype":"NOOP","magic":0}'), value: null, partition: 0 }]);
    const registry = await Registry.open(log, { providers: testProviders() });
    assert.deepEqual(registry.schemas.versionNumbers('flaky'), [1]);
    await registry.close();
  });
});
