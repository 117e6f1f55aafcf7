/**
 * What a run reads from its nodes' /metrics pages: gossip messages and blob
 * bytes, summed over nodes, before and after the jobs (sim/runner.ts).
 */

/** Sums gossip messages received (every validation result) and blob bytes received over nodes, from their /metrics. */
export async function sumMetrics (urls: string[], timeoutMs: number): Promise<{ gossip: number, rejected: number, blobBytes: number } | null> {
  let gossip = 0
  let rejected = 0
  let blobBytes = 0
  try {
    for (const u of urls) {
      const text = await (await fetch(u + '/metrics', { signal: AbortSignal.timeout(timeoutMs) })).text()
      for (const line of text.split('\n')) {
        if (line.startsWith('trust_engine_gossip_validation_results_total{')) {
          gossip += Number(line.slice(line.lastIndexOf(' ') + 1))
          if (line.includes('result="reject"')) rejected += Number(line.slice(line.lastIndexOf(' ') + 1))
        }
        if (line.startsWith('trust_engine_blob_bytes_total{direction="received"')) blobBytes += Number(line.slice(line.lastIndexOf(' ') + 1))
      }
    }
  } catch {
    return null
  }
  return { gossip, rejected, blobBytes }
}
