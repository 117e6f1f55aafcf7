/**
 * What a node says on the network: the gossip validators of the four topics
 * (jobs, votes, evidence, seeds), handed to the job engine, and the stream
 * protocols it serves to peers (blobs from disk in bounded chunks, a job's
 * votes, open jobs, certificates), each paced and limited per peer by the
 * host. Registered before the host starts; each stream registers its stop.
 */
import { maxSeedCertificateBytes } from '../../protocol/seed.ts'
import type { NetworkConfig } from '../../protocol/network.ts'
import type { JobEngine } from '../job/engine.ts'
import type { NodeMetrics } from '../metrics.ts'
import { countLimiterKeys } from '../metrics-scrape.ts'
import type { BlobDir } from '../p2p/blob-dir.ts'
import { serveBlobs } from '../p2p/blob-protocol.ts'
import { MAX_SYNC_CERTIFICATES, serveCertificates } from '../p2p/certificate-sync.ts'
import type { Host } from '../p2p/host.ts'
import { serveOpenJobs, serveVotes } from '../p2p/vote-sync.ts'
import type { NodeEventBus } from './node-events.ts'
import type { Shutdown } from './shutdown.ts'

/** What the protocols are wired to. */
export interface NodeProtocolsComponents {
  /** The network (its size bounds seed messages). */
  network: NetworkConfig
  host: Host
  engine: JobEngine
  blobs: BlobDir
  events: NodeEventBus
  /** Shows the serving rate limits' keys in `rate_limit_keys`. */
  metrics: NodeMetrics
  shutdown: Shutdown
}

/** Sets the gossip validators, subscribes to every topic and serves the stream protocols. */
export async function serveProtocols (components: NodeProtocolsComponents): Promise<void> {
  const { network, host, engine, blobs, events, metrics, shutdown } = components
  const keysOf = (limiter: string) => (keys: () => number): void => { countLimiterKeys(metrics, limiter, keys) }
  host.gossip.setValidator(host.topics.jobs, async (data) => { await engine.onJobMessage(data) })
  // The votes validator checks the canonical encoding in its own single parse (protocol/vote.ts readVote).
  host.gossip.setValidator(host.topics.votes, async (data) => { events.vote(await engine.onVoteMessage(data)) }, { checksCanonicalJson: true })
  host.gossip.setValidator(host.topics.evidence, async (data) => { await engine.onEvidenceMessage(data) })
  // A seed certificate holds a share per validator: a large network's is larger than any other message.
  host.gossip.setValidator(host.topics.seeds, async (data) => { await engine.onSeedMessage(data) }, { maxMessageBytes: maxSeedCertificateBytes(network.validators.length) })
  for (const topic of Object.values(host.topics)) host.gossip.subscribe(topic)
  // Served from disk in bounded chunks, paced and limited per peer (never a whole blob in memory).
  const stopBlobs = await serveBlobs(host, { getBlob: async (sha) => await blobs.open(sha), limits: host, counters: host.counters, paceKeys: keysOf('blob-serve-bytes') })
  shutdown.defer(stopBlobs)
  const stopVotes = await serveVotes(host, async (jobId) => await engine.votesFor(jobId), { limits: host, quotaKeys: keysOf('catch-up-serve-votes') })
  shutdown.defer(stopVotes)
  const stopOpenJobs = await serveOpenJobs(host, async () => engine.openAnnouncements(), { limits: host, quotaKeys: keysOf('catch-up-serve-open-jobs') })
  shutdown.defer(stopOpenJobs)
  const stopCertificates = await serveCertificates(host, {
    list: (since) => engine.finalJobsSince(since, MAX_SYNC_CERTIFICATES),
    load: async (jobId) => await engine.certificateBytes(jobId)
  }, { limits: host, quotaKeys: keysOf('catch-up-serve-certificates') })
  shutdown.defer(stopCertificates)
}
