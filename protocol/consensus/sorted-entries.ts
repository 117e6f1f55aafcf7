/**
 * The sorted lists an incremental tally (job-tally.ts) keeps: per metric its
 * votes sorted by (value, voter key), and voter keys sorted, with insertion
 * that shifts in place and the weighted median as one walk over a sorted
 * list, so taking in a vote neither sorts nor allocates.
 */
import type { MetricName, MetricNumbers } from '../metrics.ts'

/** What the lists hold: a vote's metric values, its voter key and its weight. */
export interface WeightedEntry extends MetricNumbers {
  key: string
  weight: number
}

/** The weighted median of `name`: first value whose cumulative weight reaches half of `total` (entries sorted by value, then key). */
export function median (list: readonly WeightedEntry[], name: MetricName, total: number): number {
  let cumulative = 0
  for (const e of list) {
    if (e.weight <= 0) continue
    cumulative += e.weight
    if (2 * cumulative >= total) return e[name]
  }
  /* c8 ignore next: unreachable while total is the sum of the positive weights */
  throw new Error('median: unreachable')
}

/** Inserts `entry` into `list`, kept sorted by (value of `name`, key), the order of weightedMedian. */
export function insertSorted<E extends WeightedEntry> (list: E[], entry: E, name: MetricName): void {
  const v = entry[name]
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const m = list[mid]!
    const mv = m[name]
    if (mv < v || (mv === v && m.key < entry.key)) lo = mid + 1
    else hi = mid
  }
  insertAt(list, lo, entry)
}

/** `list.splice(at, 0, item)` without the array of removed items splice allocates on every call. */
export function insertAt<T> (list: T[], at: number, item: T): void {
  let i = list.length
  list.push(item)
  for (; i > at; i--) list[i] = list[i - 1]!
  list[at] = item
}

/** Inserts `key` into the sorted `list` of keys. */
export function insertKey (list: string[], key: string): void {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (list[mid]! < key) lo = mid + 1
    else hi = mid
  }
  insertAt(list, lo, key)
}

/** Whether two key lists are equal, element by element. */
export function sameKeys (a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** The order of keys by code unit, as `<` compares them (a sort comparator). */
export function compareKeys (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
