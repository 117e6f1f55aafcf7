/**
 * The job engine's view of the network (`JobNetworkPort`) bound to the
 * libp2p host: gossip publishing, and the catch-up streams (open jobs, a
 * job's votes, certificates) asked of a few admitted peers, whose answers
 * are merged without duplicates. Every byte that comes back is untrusted;
 * the engine validates it as if it came over gossip.
 */
import type { JobNetworkPort } from '../job/ports.ts'
import { fetchCertificates } from '../p2p/certificate-sync.ts'
import type { Host } from '../p2p/host.ts'
import { fetchOpenJobs, fetchVotes } from '../p2p/vote-sync.ts'

/** Peers asked for a job's votes when catching up (the union of their answers is taken in). */
export const CATCH_UP_PEERS = 3

/** The engine's network port over `host`; `onVotePublished` sees every vote the engine publishes. */
export function jobNetworkPort (host: Host, onVotePublished: (data: Uint8Array) => void): JobNetworkPort {
  return {
    publish: async (topic, data) => {
      const sent = await host.gossip.publish(host.topics[topic], data)
      if (topic === 'votes') onVotePublished(data)
      return sent
    },
    catchUp: async (jobId, signal) => await catchUpVotes(host, jobId, signal),
    openJobs: async (signal) => await catchUpOpenJobs(host, signal),
    certificates: (peer, since, signal) => fetchCertificates(host, peer, since, signal),
    catchUpPeers: async (signal) => await catchUpPeers(host, signal),
    penalise: (peer, code) => { host.penalise(peer, code) }
  }
}

/**
 * Waits (bounded, 10 s) for admitted peers after a start, then asks up to
 * {@link CATCH_UP_PEERS} of them for the votes of `jobId`; unreachable or
 * failing peers are skipped.
 */
async function catchUpVotes (host: Host, jobId: string, signal: AbortSignal): Promise<Uint8Array[]> {
  return await askPeers(host, signal, async (peer) => await fetchVotes(host, peer, jobId, signal))
}

/** Like {@link catchUpVotes}, for the announcements of the jobs open at the peers. */
async function catchUpOpenJobs (host: Host, signal: AbortSignal): Promise<Uint8Array[]> {
  return await askPeers(host, signal, async (peer) => await fetchOpenJobs(host, peer, signal))
}

/** Waits (bounded, 10 s) for admitted peers after a start; returns up to CATCH_UP_PEERS of them. */
async function catchUpPeers (host: Host, signal: AbortSignal): Promise<string[]> {
  for (let i = 0; i < 100 && host.admittedPeers().length === 0 && !signal.aborted; i++) await new Promise((r) => setTimeout(r, 100))
  return host.admittedPeers().slice(0, CATCH_UP_PEERS)
}

/** Waits (bounded) for admitted peers, asks up to CATCH_UP_PEERS of them, and returns the union of their answers. */
async function askPeers (host: Host, signal: AbortSignal, ask: (peer: string) => Promise<Uint8Array[]>): Promise<Uint8Array[]> {
  const seen = new Set<string>()
  const out: Uint8Array[] = []
  for (const peer of await catchUpPeers(host, signal)) {
    for (const item of await ask(peer).catch(() => [])) {
      const key = Buffer.from(item).toString('base64')
      if (!seen.has(key)) { seen.add(key); out.push(item) }
    }
  }
  return out
}
