/**
 * The weighted median: the consensus value of one metric.
 *
 * Entries are sorted by value, ties by key, then −0 before 0 (so every node
 * gets the same order whatever order the votes arrived in), and the median
 * is the first value at which the cumulative weight reaches half of the
 * total (2·cum ≥ total).
 * Weights are integers, so the comparison is exact. The median is always the
 * value of one of the entries, and while the weight of arbitrary (Byzantine)
 * entries stays below half of the total it lies within the range of the
 * other entries' values.
 */
import { TrustEngineError, declareCode } from '../errors.ts'

/** Code of a median input with a NaN value or a weight that is not a safe integer. */
export const ERR_MEDIAN_INPUT = declareCode('ERR_MEDIAN_INPUT', { status: 500 })

/** One weighted value; `key` (e.g. the voter's public key) breaks ties in the order. */
export interface MedianEntry {
  value: number
  weight: number
  key: string
}

/**
 * Weighted median of `entries`. Entries with weight ≤ 0 are ignored;
 * `Infinity` is a valid value and sorts last. Returns `null` when the total
 * weight is 0. Throws `ERR_MEDIAN_INPUT` for a NaN value, a non-integer
 * weight, or a total beyond `Number.MAX_SAFE_INTEGER`.
 */
export function weightedMedian (entries: readonly MedianEntry[]): number | null {
  const used: MedianEntry[] = []
  let total = 0
  for (const e of entries) {
    if (!Number.isSafeInteger(e.weight)) throw new TrustEngineError(ERR_MEDIAN_INPUT, 'weights must be safe integers')
    if (Number.isNaN(e.value)) throw new TrustEngineError(ERR_MEDIAN_INPUT, 'value is NaN')
    if (e.weight <= 0) continue
    used.push(e)
    total += e.weight
  }
  if (!Number.isSafeInteger(total)) throw new TrustEngineError(ERR_MEDIAN_INPUT, 'total weight exceeds the safe integer range')
  if (total === 0) return null
  used.sort(compareEntries)
  let cumulative = 0
  for (const e of used) {
    cumulative += e.weight
    if (2 * cumulative >= total) return e.value
  }
  /* c8 ignore next: unreachable, the last entry brings cumulative to total */
  throw new Error('weighted median: unreachable')
}

/**
 * Order by value, then by key in UTF-16 code unit order, then −0 before 0
 * (the only equal values that differ); `Infinity` compares equal to itself.
 * The last step orders entries that share a key, so the median never follows
 * the input order, even where keys repeat.
 */
function compareEntries (a: MedianEntry, b: MedianEntry): number {
  if (a.value < b.value) return -1
  if (a.value > b.value) return 1
  if (a.key !== b.key) return a.key < b.key ? -1 : 1
  return Object.is(a.value, b.value) ? 0 : Object.is(a.value, -0) ? -1 : 1
}
