/**
 * Options of a node process, resolved once at the edge from (lowest to
 * highest precedence) built-in defaults, the config file, environment
 * variables and command-line flags.
 *
 * With no network file anywhere, the node runs a single-node development
 * network: it creates its key and a one-validator network file in its data
 * directory, so `trust-engine node` works out of the box.
 */
import { isAbsolute, join, resolve } from 'node:path'
import { z } from 'zod'
import { TrustEngineError, declareCode } from '../../protocol/errors.ts'
import { pricingCalendarSchema, type PricingCalendar } from '../optimizer/economy/pricing-calendar.ts'
import { RESOURCE_KINDS, resourceProfileSchema, type ResourceKind, type ResourceProfile } from '../optimizer/economy/resource-profile.ts'
import { retentionOptionsSchema } from '../wiring/retention.ts'
import { stopOptionsSchema } from '../wiring/graceful-stop.ts'
import { apiTokenSchema } from './api-token.ts'

/** Code of options that do not validate (flags, environment or config file). */
export const ERR_OPTIONS_INVALID = declareCode('ERR_OPTIONS_INVALID', { status: 400 })

/** Resolved options of a node process. */
export interface NodeOptions {
  /** Human-readable name, e.g. `node2`; the validator's name when absent. */
  name: string | null
  /** Directory of the node's LevelDB (`db/`), blobs (`blobs/`) and, by default, key. */
  dataDir: string
  /** Network file; null runs the single-node development network. */
  networkFile: string | null
  /** The node's key file (created when missing). */
  keyFile: string
  /** libp2p listen multiaddrs. */
  listen: string[]
  /** Multiaddrs (with /p2p/ peer id) dialled at start and redialled with backoff. */
  bootstrap: string[]
  /**
   * Multiaddrs other hosts should dial to reach this node (e.g.
   * `/dns4/node1.example.org/tcp/7000` or a published host port), announced
   * instead of the listen addresses; empty announces the listen addresses.
   */
  announce: string[]
  /** Run as an observer: follow verdicts and certificates without voting; the key must not be a validator's. */
  observer: boolean
  /** HTTP API address, or null for no API. */
  api: { host: string, port: number } | null
  /** Bearer token for the API's writing routes (required off loopback). */
  apiToken: string | null
  /** pino log level. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** Economy deferral: calendar and resource fields over the economy module's defaults (`NodeInit.economy`). */
  economy: EconomyConfig
  /** Blob storage quotas and clean-up over their defaults (`NodeInit.blobs`; docs/store.md). */
  blobs: BlobStorageConfig
  /** Evidence kept of the node's measurements, over its defaults (`NodeInit.evidence`; docs/api.md). */
  evidence: EvidenceConfig
  /** Bounds of the optimizer reports and the reputation history kept in LevelDB, and the retention of decided jobs' blobs, votes and evidence, over their defaults (`NodeInit.optimizerReports`, `NodeInit.reputationHistory`, `NodeInit.retention`; docs/api.md, docs/store.md). */
  retention: RetentionConfig
  /** The stop's drain bound over its default (`NodeInit.shutdown`; node/wiring/graceful-stop.ts). */
  shutdown: ShutdownConfig
  /** The HTTP API's per-client rate limits over their defaults (`NodeInit.api`; node/api/options.ts, docs/bounds.md). */
  rateLimits: RateLimitsConfig
  /** The job engine's bounds of open jobs and blob bytes over their defaults (`NodeInit.engine`; node/job/engine-options.ts, docs/bounds.md). */
  jobs: JobsConfig
}

/**
 * The config file's `jobs`: the job engine's bounds (DEFAULT_JOB_ENGINE_OPTIONS
 * in node/job/engine-options.ts): `maxOpenJobsPerSubmitter` (64; every node of a
 * network should keep the same value), `maxBlobBytesInMemory` (256 MiB) and
 * `maxBlobBytesPerSubmitter` (128 MiB).
 */
export type JobsConfig = z.output<typeof jobsConfigSchema>

/** Schema of the `jobs` object of the config file and of {@link PartialNodeOptions}. */
export const jobsConfigSchema = z.strictObject({
  maxOpenJobsPerSubmitter: z.int().min(1).max(1_000_000).optional(),
  maxBlobBytesInMemory: z.int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  maxBlobBytesPerSubmitter: z.int().min(1).max(Number.MAX_SAFE_INTEGER).optional()
})

/**
 * The config file's `rateLimits`: the HTTP API's per-client (per address)
 * limits, each a count a minute with a burst of as many (DEFAULT_API_OPTIONS
 * in node/api/options.ts): `writesPerMinute` (job submissions and schedule
 * cancellations, 120), `readsPerMinute` (reading requests but `/healthz` and
 * `/metrics`, 1200), `uploadsPerMinute` (600), `uploadBytesPerMinute`
 * (1 GiB); and `maxConnectionsPerClient` (64), the connections one address
 * may hold open at once.
 */
export type RateLimitsConfig = z.output<typeof rateLimitsConfigSchema>

/** Schema of the `rateLimits` object of the config file and of {@link PartialNodeOptions}. */
export const rateLimitsConfigSchema = z.strictObject({
  writesPerMinute: z.number().int().min(1).max(1_000_000).optional(),
  readsPerMinute: z.number().int().min(1).max(1_000_000).optional(),
  uploadsPerMinute: z.number().int().min(1).max(1_000_000).optional(),
  uploadBytesPerMinute: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  maxConnectionsPerClient: z.number().int().min(1).max(65_536).optional()
})

/** The config file's `shutdown`: `drainMs`, how long a stop lets the measurements in flight finish (10 s by default; DEFAULT_STOP_OPTIONS in node/wiring/graceful-stop.ts). */
export type ShutdownConfig = z.output<typeof shutdownConfigSchema>

/** Schema of the `shutdown` object of the config file and of {@link PartialNodeOptions}. */
export const shutdownConfigSchema = stopOptionsSchema.partial()

/**
 * What a node keeps for its console and clients, bounded; absent fields keep
 * their defaults (DEFAULT_OPTIMIZER_REPORT_STORE_OPTIONS in
 * node/wiring/optimizer-report-store.ts: 1000 reports of at most 64 KiB;
 * DEFAULT_REPUTATION_HISTORY_OPTIONS in node/job/reputation-history.ts: 1000
 * points per validator; DEFAULT_RETENTION_OPTIONS in node/wiring/retention.ts:
 * decided jobs' blobs, votes and evidence pruned 7 days after the decision,
 * a pass every 10 minutes of at most 1000 jobs).
 */
export interface RetentionConfig {
  /** Most optimizer reports kept (the oldest goes first). */
  maxOptimizerReports?: number
  /** Largest optimizer report kept, in bytes of JSON. */
  maxOptimizerReportBytes?: number
  /** Most reputation history points kept per validator (the oldest goes first). */
  maxReputationPointsPerValidator?: number
  /** Prune decided jobs' blobs, votes and evidence at all (`false` keeps everything). */
  pruneDecidedJobs?: boolean
  /** How long after its decision a job's blobs, votes and evidence are kept (ms). */
  decidedJobsMs?: number
  /** How often retention runs a pass (ms). */
  pruneIntervalMs?: number
  /** Most jobs one pass prunes. */
  maxJobsPerPrune?: number
}

/** Schema of the `retention` object of the config file and of {@link PartialNodeOptions}; the pruning bounds are retention's own (node/wiring/retention.ts). */
export const retentionConfigSchema = z.strictObject({
  maxOptimizerReports: z.int().min(0).max(1_000_000).optional(),
  maxOptimizerReportBytes: z.int().min(1024).max(1024 * 1024).optional(),
  maxReputationPointsPerValidator: z.int().min(1).max(1_000_000).optional(),
  pruneDecidedJobs: retentionOptionsSchema.shape.enabled.optional(),
  decidedJobsMs: retentionOptionsSchema.shape.decidedJobsMs.optional(),
  pruneIntervalMs: retentionOptionsSchema.shape.intervalMs.optional(),
  maxJobsPerPrune: retentionOptionsSchema.shape.maxJobsPerPass.optional()
})

/**
 * Evidence a node process may set; absent fields keep their defaults
 * (DEFAULT_EVIDENCE_STORE_OPTIONS in node/evidence/evidence-store.ts: on, at
 * most 1000 jobs and 1 GiB, 128 MiB per job).
 */
export interface EvidenceConfig {
  /** Keep evidence at all. */
  enabled?: boolean
  /** Most jobs whose evidence is kept. */
  maxJobs?: number
  /** Most bytes of evidence kept in all. */
  maxBytes?: number
  /** Largest evidence of one job that is kept. */
  maxJobBytes?: number
}

/** Schema of the `evidence` object of the config file and of {@link PartialNodeOptions}. */
export const evidenceConfigSchema = z.strictObject({
  enabled: z.boolean().optional(),
  maxJobs: z.int().min(0).max(1_000_000).optional(),
  maxBytes: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  maxJobBytes: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional()
})

/**
 * Blob storage a node process may set; absent fields keep their defaults:
 * `maxTotalBytes` 32 GiB and `minFreeBytes` 256 MiB (node/p2p/blob-dir.ts), `maxPendingBytesPerUploader`
 * 4 GiB, `uploadGraceMs` one hour, `sweepIntervalMs` one minute
 * (node/store/blob-keeper.ts).
 */
export interface BlobStorageConfig {
  /** Bytes of blobs the node stores in all (507 `ERR_BLOB_QUOTA` beyond). */
  maxTotalBytes?: number
  /** Bytes a blob's write must leave free on the data folder's file system (507 `ERR_DISK_FULL` otherwise). */
  minFreeBytes?: number
  /** Bytes of uploads no job names yet that one client address may have (507 `ERR_BLOB_UPLOADER_QUOTA` beyond). */
  maxPendingBytesPerUploader?: number
  /** How long an upload no job names is kept after its upload or last use (ms). */
  uploadGraceMs?: number
  /** How often such uploads are swept (ms). */
  sweepIntervalMs?: number
}

/** Schema of the `blobs` object of the config file and of {@link PartialNodeOptions}. */
export const blobStorageConfigSchema = z.strictObject({
  maxTotalBytes: z.int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  minFreeBytes: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  maxPendingBytesPerUploader: z.int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  uploadGraceMs: z.int().positive().max(365 * 24 * 3600 * 1000).optional(),
  sweepIntervalMs: z.int().positive().max(24 * 3600 * 1000).optional()
})

/** The economy fields a node process may set: any calendar or resource field (the rest are the defaults). */
export interface EconomyConfig {
  calendar: Partial<PricingCalendar>
  resource: Partial<ResourceProfile>
}

/** Schema of the `economy` object of the config file and of {@link PartialNodeOptions}. */
export const economyConfigSchema = z.strictObject({
  calendar: pricingCalendarSchema.partial().optional(),
  resource: resourceProfileSchema.partial().optional()
})

/** Defaults: the development network's, all on 127.0.0.1. */
export const DEFAULT_NODE_OPTIONS: Readonly<NodeOptions> = Object.freeze({
  name: null,
  /** Relative to the working directory, like a project-local cache; ignored by git. */
  dataDir: '.trust-engine/dev',
  networkFile: null,
  /** Resolved to `<dataDir>/key.json` when not set. */
  keyFile: '',
  /** Port 0: the system picks a free port, so several dev nodes never collide. */
  listen: ['/ip4/127.0.0.1/tcp/0'],
  bootstrap: [],
  /** None: the listen addresses are announced (right on one host; behind NAT or Docker set it). */
  announce: [],
  /** A node is a validator unless told otherwise; one whose key is not in the network file is refused. */
  observer: false,
  /** 127.0.0.1:7700: loopback only, so no token is needed by default. */
  api: { host: '127.0.0.1', port: 7700 },
  apiToken: null,
  logLevel: 'info',
  /** The seed's calendar in UTC and the consumer resource (node/optimizer/economy/). */
  economy: { calendar: {}, resource: {} },
  /** Every field at its module's default (see {@link BlobStorageConfig}). */
  blobs: {},
  /** Every field at its default (see {@link EvidenceConfig}). */
  evidence: {},
  /** Every field at its default (see {@link RetentionConfig}). */
  retention: {},
  /** The drain bound at its default (see {@link ShutdownConfig}). */
  shutdown: {},
  /** Every limit at its default (see {@link RateLimitsConfig}). */
  rateLimits: {},
  /** Every bound at its default (see {@link JobsConfig}). */
  jobs: {}
})

/** Options as they may come from one source (each field optional). */
export interface PartialNodeOptions {
  name?: string
  dataDir?: string
  networkFile?: string
  keyFile?: string
  listen?: string[]
  bootstrap?: string[]
  announce?: string[]
  observer?: boolean
  /** `HOST:PORT`, or `off` for no API. */
  api?: string
  apiToken?: string
  logLevel?: NodeOptions['logLevel']
  /** Economy calendar and resource fields; merged field by field over earlier sources. */
  economy?: { calendar?: Partial<PricingCalendar>, resource?: Partial<ResourceProfile> }
  /** Time zone of the pricing calendar (`economy.calendar.timeZone`). */
  economyTimeZone?: string
  /** Resource kind (`economy.resource.kind`). */
  economyResource?: ResourceKind
  /** Blob storage fields; merged field by field over earlier sources. */
  blobs?: BlobStorageConfig
  evidence?: EvidenceConfig
  /** Retention bounds; merged field by field over earlier sources. */
  retention?: RetentionConfig
  /** The stop's drain bound; merged field by field over earlier sources. */
  shutdown?: ShutdownConfig
  /** The API's per-client rate limits; merged field by field over earlier sources. */
  rateLimits?: RateLimitsConfig
  /** The job engine's bounds; merged field by field over earlier sources. */
  jobs?: JobsConfig
}

/** Environment variables read by {@link optionsFromEnv}, and the option each sets. */
export const ENV_VARIABLES: Readonly<Record<string, keyof PartialNodeOptions | 'config'>> = Object.freeze({
  TRUST_ENGINE_CONFIG: 'config',
  TRUST_ENGINE_NAME: 'name',
  TRUST_ENGINE_DATA_DIR: 'dataDir',
  TRUST_ENGINE_NETWORK: 'networkFile',
  TRUST_ENGINE_KEY: 'keyFile',
  TRUST_ENGINE_LISTEN: 'listen',
  TRUST_ENGINE_BOOTSTRAP: 'bootstrap',
  TRUST_ENGINE_ANNOUNCE: 'announce',
  TRUST_ENGINE_OBSERVER: 'observer',
  TRUST_ENGINE_API: 'api',
  TRUST_ENGINE_API_TOKEN: 'apiToken',
  TRUST_ENGINE_LOG_LEVEL: 'logLevel',
  TRUST_ENGINE_ECONOMY_TZ: 'economyTimeZone',
  TRUST_ENGINE_ECONOMY_RESOURCE: 'economyResource'
})

const LIST_OPTIONS = new Set(['listen', 'bootstrap', 'announce'])
const BOOLEAN_OPTIONS = new Set(['observer'])

/** Most bootstrap addresses, the libp2p host's own limit (node/p2p/host.ts): a node needs a few live peers, not every validator. */
export const MAX_BOOTSTRAP_ADDRESSES = 256

/** Reads node options from environment variables (lists are comma-separated). */
export function optionsFromEnv (env: NodeJS.ProcessEnv): PartialNodeOptions & { config?: string } {
  const out: Record<string, unknown> = {}
  for (const [name, key] of Object.entries(ENV_VARIABLES)) {
    const raw = env[name]
    if (raw === undefined || raw === '') continue
    out[key] = LIST_OPTIONS.has(key)
      ? raw.split(',').map((s) => s.trim()).filter((s) => s !== '')
      // `1`/`true` and `0`/`false`; anything else is kept as text and refused by the schema.
      : BOOLEAN_OPTIONS.has(key) ? ({ 1: true, true: true, 0: false, false: false } as Record<string, boolean>)[raw.toLowerCase()] ?? raw : raw
  }
  return out as PartialNodeOptions & { config?: string }
}

const apiSchema = z.union([
  z.literal('off'),
  z.string().regex(/^([^\s:[\]]+|\[[0-9a-fA-F:.]+\]):\d{1,5}$/, 'expected HOST:PORT, [IPv6]:PORT or off')
])
const partialSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional(),
  dataDir: z.string().min(1).optional(),
  networkFile: z.string().min(1).optional(),
  keyFile: z.string().min(1).optional(),
  listen: z.array(z.string().startsWith('/')).max(16).optional(),
  bootstrap: z.array(z.string().startsWith('/')).max(MAX_BOOTSTRAP_ADDRESSES).optional(),
  announce: z.array(z.string().startsWith('/')).max(16).optional(),
  observer: z.boolean().optional(),
  api: apiSchema.optional(),
  apiToken: apiTokenSchema.optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  economy: economyConfigSchema.optional(),
  economyTimeZone: z.string().min(1).max(64).optional(),
  economyResource: z.enum(RESOURCE_KINDS).optional(),
  blobs: blobStorageConfigSchema.optional(),
  evidence: evidenceConfigSchema.optional(),
  retention: retentionConfigSchema.optional(),
  shutdown: shutdownConfigSchema.optional(),
  rateLimits: rateLimitsConfigSchema.optional(),
  jobs: jobsConfigSchema.optional()
})

/**
 * Merges option sources, later ones winning, validates them and resolves
 * paths against `cwd`. Throws `ERR_OPTIONS_INVALID` naming the bad field.
 */
export function resolveNodeOptions (sources: PartialNodeOptions[], cwd: string = process.cwd()): NodeOptions {
  const merged: PartialNodeOptions = {}
  const economy: EconomyConfig = { calendar: {}, resource: {} }
  const blobs: BlobStorageConfig = {}
  const evidence: EvidenceConfig = {}
  const retention: RetentionConfig = {}
  const shutdown: ShutdownConfig = {}
  const rateLimits: RateLimitsConfig = {}
  const jobs: JobsConfig = {}
  for (const source of sources) {
    const parsed = partialSchema.safeParse(stripUndefined(source))
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      throw new TrustEngineError(ERR_OPTIONS_INVALID, `option ${issue.path.join('.') || '?'}: ${issue.message}`, { details: { path: issue.path.join('.') } })
    }
    Object.assign(merged, parsed.data)
    Object.assign(economy.calendar, parsed.data.economy?.calendar, parsed.data.economyTimeZone === undefined ? {} : { timeZone: parsed.data.economyTimeZone })
    Object.assign(economy.resource, parsed.data.economy?.resource, parsed.data.economyResource === undefined ? {} : { kind: parsed.data.economyResource })
    Object.assign(blobs, parsed.data.blobs)
    Object.assign(evidence, parsed.data.evidence)
    Object.assign(retention, parsed.data.retention)
    Object.assign(shutdown, parsed.data.shutdown)
    Object.assign(rateLimits, parsed.data.rateLimits)
    Object.assign(jobs, parsed.data.jobs)
  }
  const dataDir = abs(cwd, merged.dataDir ?? DEFAULT_NODE_OPTIONS.dataDir)
  return {
    name: merged.name ?? DEFAULT_NODE_OPTIONS.name,
    dataDir,
    networkFile: merged.networkFile === undefined ? null : abs(cwd, merged.networkFile),
    keyFile: merged.keyFile === undefined ? join(dataDir, 'key.json') : abs(cwd, merged.keyFile),
    listen: merged.listen ?? [...DEFAULT_NODE_OPTIONS.listen],
    bootstrap: merged.bootstrap ?? [],
    announce: merged.announce ?? [],
    observer: merged.observer ?? DEFAULT_NODE_OPTIONS.observer,
    api: parseApi(merged.api),
    apiToken: merged.apiToken ?? null,
    logLevel: merged.logLevel ?? DEFAULT_NODE_OPTIONS.logLevel,
    economy,
    blobs,
    evidence,
    retention,
    shutdown,
    rateLimits,
    jobs
  }
}

function parseApi (api: string | undefined): NodeOptions['api'] {
  if (api === undefined) return { ...DEFAULT_NODE_OPTIONS.api! }
  if (api === 'off') return null
  const i = api.lastIndexOf(':')
  const port = Number(api.slice(i + 1))
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TrustEngineError(ERR_OPTIONS_INVALID, `option api: port out of range in ${api}`, { details: { path: 'api' } })
  }
  const host = api.slice(0, i)
  return { host: host.startsWith('[') ? host.slice(1, -1) : host, port }
}

function abs (cwd: string, p: string): string {
  return isAbsolute(p) ? p : resolve(cwd, p)
}

function stripUndefined<T extends object> (o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T
}
