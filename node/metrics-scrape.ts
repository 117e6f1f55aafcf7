/**
 * What the node's scrape-time gauges read (node/metrics.ts): the readers a
 * node sets once for its registry ({@link readAtScrape}) and the rate
 * limiters whose key counts `rate_limit_keys` shows ({@link countLimiterKeys}).
 * Kept by registry and by gauge, so several nodes in one process (the
 * simulation's node hosts) each read their own.
 */
import type { Registry } from 'prom-client'
import type { NodeMetrics } from './metrics.ts'

/** What the gauges read at each scrape come from; set once by the node ({@link readAtScrape}). */
export interface ScrapeReaders {
  /** Bytes of the LevelDB folder. */
  storeBytes: () => Promise<number>
  /** Bytes of the blobs stored. */
  blobBytes: () => Promise<number>
  /** Free bytes of the data folder's file system. */
  diskFreeBytes: () => Promise<number>
  /** Gossip messages being validated and being delivered. */
  gossipQueue: () => { validating: number, delivering: number }
  /** Votes held by the vote buffer. */
  votesHeld: () => number
  /** Economy schedules waiting for their slot. */
  schedulesWaiting: () => number
  /** Jobs held by the seed phase. */
  seedJobsHeld: () => number
  /** Worker pool tasks waiting for a worker and running. */
  workTasks: () => { waiting: number, running: number }
  /** Measurement worker threads running now and started so far. */
  workPool: () => { workers: number, started: number }
  /** Bytes of V8 heap the measurement workers use, summed. */
  workerHeapUsedBytes: () => Promise<number>
  /** LevelDB writes queued or running (node/store/db.ts). */
  storeWritesWaiting: () => number
  /** Optimizer reports kept (node/wiring/optimizer-report-store.ts). */
  optimizerReports: () => number
  /** Decision steps queued or running, all jobs and the busiest job (node/job/job-lifecycle.ts). */
  decisionSteps: () => { all: number, longest: number }
  /** Blob bytes held within the blob budget, and waited for (node/job/blob-budget.ts). */
  blobMemory: () => { held: number, waiting: number }
  /** Reputation history points kept (node/job/reputation-history.ts). */
  reputationPoints: () => number
  /** Records of the peer book (node/p2p/peer-book.ts). */
  peerBookRecords: () => Promise<number>
  /** Message ids in gossipsub's seen cache (node/p2p/gossip.ts `seenIds`). */
  gossipSeenIds: () => number
  /** Final jobs in the certificate catch-up's serving index (node/job/certified-jobs.ts). */
  certifiedJobsIndexed: () => number
  /** Peers the host keeps redialling (node/p2p/redial.ts). */
  redialTargets: () => number
  /** Entries of gossipsub's message cache and IDONTWANT lists (node/p2p/gossipsub-hooks.ts). */
  gossipCaches: () => { messages: number, idontwant: number }
}

/** The readers of each registry's scrape-time gauges (a registry belongs to one node). */
const SCRAPE_READERS = new WeakMap<Registry, ScrapeReaders>()

/**
 * Gives the gauges of {@link NodeMetrics.storage} and {@link NodeMetrics.queues}
 * on `register` what they read at each scrape. Until then they read 0; a
 * reader that fails leaves its gauge at its last value.
 */
export function readAtScrape (register: Registry, readers: ScrapeReaders): void {
  SCRAPE_READERS.set(register, readers)
}

/** The rate limiters `rate_limit_keys` reads, per gauge (one gauge per registry): limiter name → its key count. */
const LIMITER_KEYS = new WeakMap<object, Map<string, () => number>>()

/**
 * Shows the keys a rate limiter tracks in `rate_limit_keys{limiter}` at
 * each scrape. A later limiter of the same name (an API started again)
 * takes the earlier one's place.
 */
export function countLimiterKeys (metrics: NodeMetrics, limiter: string, keys: () => number): void {
  const gauge = metrics.queues.rateLimitKeys
  let limiters = LIMITER_KEYS.get(gauge)
  if (limiters === undefined) {
    limiters = new Map()
    LIMITER_KEYS.set(gauge, limiters)
  }
  limiters.set(limiter, keys)
}

/** The readers set for `register`, if any (read by the gauges at each scrape). */
export function scrapeReadersOf (register: Registry): ScrapeReaders | undefined {
  return SCRAPE_READERS.get(register)
}

/** The limiters counted on `gauge` (`rate_limit_keys`): name → its key count. */
export function limiterKeysOf (gauge: object): Iterable<[string, () => number]> {
  return LIMITER_KEYS.get(gauge) ?? []
}
