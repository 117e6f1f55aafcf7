/**
 * Which phase of a job a node was in when it was killed, from what can be
 * observed from outside: its view of the job read through its API just
 * before the SIGKILL, then its store read after it (the audit entries it
 * wrote up to the kill). The view gives the job's phase on that node; the
 * store tells whether LevelDB batches were being written at that moment: an
 * audit entry appended after the view was read, or within a few
 * milliseconds before the kill, means the kill fell among the writes of a
 * batch (an audit entry is written in the same batch as what it records).
 */
import type { JobView } from '../../node/types.ts'
import type { AuditEntry } from '../../node/store/index.ts'

/** The phases a kill is sorted into. */
export const PHASES = ['announcement', 'blob-fetch', 'measurement', 'vote-exchange', 'decided', 'unreachable'] as const

/** A phase of {@link PHASES}. */
export type Phase = (typeof PHASES)[number]

/** An audit entry this close before the kill counts as a write in progress, ms. */
export const WRITE_WINDOW_MS = 20

/**
 * The phase of the job on the node from its view just before the kill:
 * `announcement` (the node does not know the job yet), `blob-fetch` (known,
 * its blobs not all here), `measurement` (blobs here, no own vote yet),
 * `vote-exchange` (own vote cast, not decided), `decided`, or `unreachable`
 * (the node did not answer). A node that never votes (its measurement
 * failed) counts by the same timings.
 */
export function phaseOf (view: JobView | null | 'unreachable'): Phase {
  if (view === 'unreachable') return 'unreachable'
  if (view === null) return 'announcement'
  if (view.status !== 'pending') return 'decided'
  if (view.timings.measuredAt !== null || view.ownMeasurement !== null) return 'vote-exchange'
  if (view.timings.blobsAt !== null) return 'measurement'
  return 'blob-fetch'
}

/** What the store says of the moment of a kill. */
export interface WritesAtKill {
  /** Audit entries the node wrote after its view was read and before it died. */
  entriesAfterView: number
  /** The kind of its last audit entry (`vote.own`, `job.finalized`, ...), null for an empty trail. */
  lastKind: string | null
  /** Milliseconds from its last audit entry to the kill. */
  msSinceLastEntry: number | null
  /** True when the kill fell among a batch's writes (see the module's comment). */
  duringWrites: boolean
}

/** Reads {@link WritesAtKill} from the entries the node wrote from before its view on (`tail`), the view's time and the kill's. */
export function writesAtKill (tail: readonly AuditEntry[], viewAt: number, killAt: number): WritesAtKill {
  const last = tail.at(-1) ?? null
  const entriesAfterView = tail.filter((e) => e.time > viewAt).length
  const msSinceLastEntry = last === null ? null : killAt - last.time
  return {
    entriesAfterView,
    lastKind: last?.kind ?? null,
    msSinceLastEntry,
    duringWrites: entriesAfterView > 0 || (msSinceLastEntry !== null && msSinceLastEntry <= WRITE_WINDOW_MS)
  }
}
