/**
 * The schema registry in /metrics, read from its in-memory state at scrape time: live subjects,
 * live schema versions, and the KEKs and DEKs of client-side field encryption (soft-deleted
 * ones are not counted, as the REST API does not list them by default).
 */
import type { Registry } from '../../registry/registry.ts';
import { areaSnapshot, snapshotGauge, type MetricsContext } from './snapshot-metrics.ts';

export interface RegistryCounts {
  subjects: number;
  schemaVersions: number;
  keks: number;
  deks: number;
}

export function registryCounts(registry: Registry): RegistryCounts {
  const subjects = registry.schemas.subjects();
  let schemaVersions = 0;
  for (const subject of subjects) schemaVersions += registry.schemas.state.versions(subject, false).length;
  const keks = registry.deks.listKeks();
  let deks = 0;
  for (const kek of keks) deks += registry.deks.state.deksOf(kek).filter((dek) => !dek.deleted).length;
  return { subjects: subjects.length, schemaVersions, keks: keks.length, deks };
}

export function registerRegistryMetrics(context: MetricsContext, registry: Registry): void {
  const snapshot = areaSnapshot<RegistryCounts | undefined>(context, 'registry', () => registryCounts(registry), undefined);
  const count = (name: string, help: string, pick: (c: RegistryCounts) => number) =>
    snapshotGauge(context, { name, help, labelNames: [] as const }, snapshot, (counts) => (counts ? [[{}, pick(counts)] as const] : []));
  count('shiftleft_registry_subjects', 'Subjects with at least one live schema version', (c) => c.subjects);
  count('shiftleft_registry_schema_versions', 'Live schema versions over all subjects', (c) => c.schemaVersions);
  count('shiftleft_registry_keks', 'Key encryption keys (KEKs), soft-deleted ones apart', (c) => c.keks);
  count('shiftleft_registry_deks', 'Data encryption keys (DEK versions) under live KEKs, soft-deleted ones apart', (c) => c.deks);
}
