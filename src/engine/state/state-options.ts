/**
 * How an operator's keyed state uses memory: the per-statement budget (`state.memory.max-entries`)
 * and where spill files go. See README.md in this directory for the design.
 */
import { ShiftleftError } from '../../common/errors.ts';
import type { OperatorContext } from '../operator.ts';

/** `SET 'state.memory.max-entries' = '...'`: entries one keyed state keeps in memory. */
export const STATE_MAX_ENTRIES_PROPERTY = 'state.memory.max-entries';

/**
 * Generous on purpose: spilling is for state that would not fit otherwise. A million small
 * entries (a group's accumulators, a deduplication marker) take a few hundred MB at most.
 */
export const DEFAULT_MAX_ENTRIES_IN_MEMORY = 1_000_000;

export interface StateBackendOptions {
  /** Entries one KeyedState keeps in memory; colder ones spill to disk. */
  maxEntriesInMemory: number;
  /**
   * This operator's spill directory (e.g. `<statement dir>/state/<operator id>-<name>`); each
   * keyed state of the operator spills into its own subdirectory, created on its first spill.
   * Default: `os.tmpdir()/shiftleft-state-<pid>-<n>` per keyed state.
   */
  spillDir?: string;
}

export const DEFAULT_STATE_BACKEND: StateBackendOptions = { maxEntriesInMemory: DEFAULT_MAX_ENTRIES_IN_MEMORY };

/** The context as the runtime will pass it once it hands operators their state options. */
type ContextWithState = OperatorContext & { readonly state?: StateBackendOptions };

/** The state options of an operator's context, or the defaults. */
export function stateBackendOf(context: OperatorContext): StateBackendOptions {
  return (context as ContextWithState).state ?? DEFAULT_STATE_BACKEND;
}

/** Parses `state.memory.max-entries` (a positive integer; `_` and `,` separators allowed). */
export function parseStateMaxEntries(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_MAX_ENTRIES_IN_MEMORY;
  const n = Number(value.trim().replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new ShiftleftError('SQL_VALIDATION_ERROR', `'${STATE_MAX_ENTRIES_PROPERTY}' must be a positive integer, got '${value}'`, {
      hint: `Set it to how many entries each operator state keeps in memory before spilling to disk, e.g. SET '${STATE_MAX_ENTRIES_PROPERTY}' = '100000' (default ${DEFAULT_MAX_ENTRIES_IN_MEMORY}).`,
    });
  }
  return n;
}
