/**
 * Reads a node's `GET /metrics` (Prometheus text exposition) into one number
 * per metric name, summed over its label sets: the soak needs totals
 * (`trust_engine_gossip_queue_messages` over its stages), never one series.
 */

/** Largest exposition read: a node's is tens of kilobytes. */
export const MAX_METRICS_BYTES = 4 * 1024 * 1024

/** Sums of every sample in a Prometheus text exposition, by metric name (histogram parts keep their suffixes). */
export function parseExposition (text: string): Map<string, number> {
  const sums = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)/.exec(line)
    if (m === null) continue
    const value = Number(m[3])
    if (!Number.isFinite(value)) continue
    sums.set(m[1]!, (sums.get(m[1]!) ?? 0) + value)
  }
  return sums
}

/** Fetches and parses a node's metrics; null when the node does not answer within `timeoutMs` or answers too much. */
export async function scrapeMetrics (apiUrl: string, timeoutMs = 30_000): Promise<Map<string, number> | null> {
  try {
    const res = await fetch(`${apiUrl}/metrics`, { signal: AbortSignal.timeout(timeoutMs) })
    if (!res.ok) return null
    const declared = Number(res.headers.get('content-length') ?? '0')
    if (declared > MAX_METRICS_BYTES) return null
    const text = await res.text()
    if (text.length > MAX_METRICS_BYTES) return null
    return parseExposition(text)
  } catch {
    return null
  }
}
