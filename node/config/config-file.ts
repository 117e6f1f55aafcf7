/**
 * The node's config file (`config.json`), as `trust-engine network init`
 * writes it and the node runtime reads it:
 *
 * ```json
 * {
 *   "name": "node1",
 *   "dataDir": ".",
 *   "network": "../network.json",
 *   "key": "key.json",
 *   "listen": ["/ip4/127.0.0.1/tcp/17001"],
 *   "api": "127.0.0.1:17101",
 *   "bootstrap": ["/ip4/127.0.0.1/tcp/17002/p2p/12D3KooW..."]
 * }
 * ```
 *
 * Every field is optional. Relative paths (`dataDir`, `network`, `key`) are
 * relative to the directory of the config file, not to the working
 * directory, so a folder of configs can be moved as a whole. Unknown fields
 * are refused, so a misspelt option never silently becomes a default.
 */
import { dirname, isAbsolute, resolve } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { z } from 'zod'
import { TrustEngineError, declareCode } from '../../protocol/errors.ts'
import { ERR_FILE_TOO_LARGE, readFileBounded } from '../files/read-bounded.ts'
import { blobStorageConfigSchema, economyConfigSchema, evidenceConfigSchema, jobsConfigSchema, rateLimitsConfigSchema, retentionConfigSchema, shutdownConfigSchema } from './node-options.ts'
import { apiTokenSchema } from './api-token.ts'
import type { PartialNodeOptions } from './node-options.ts'

/** Code of a config file that is too large, not JSON, or violates the schema. */
export const ERR_CONFIG_INVALID = declareCode('ERR_CONFIG_INVALID', { status: 400 })
/** Code of a config file that does not exist or cannot be read. */
export const ERR_CONFIG_UNREADABLE = declareCode('ERR_CONFIG_UNREADABLE', { status: 400 })

/**
 * Largest config file read. A config is a few hundred bytes; the bulk of a
 * large one is `bootstrap`, up to 1000 multiaddrs of about 100 bytes each
 * (one per validator, MAX_VALIDATORS in protocol/constants.ts).
 */
export const MAX_CONFIG_FILE_BYTES = 256 * 1024

/** Most bootstrap addresses: the libp2p host's own limit (see MAX_BOOTSTRAP_ADDRESSES in node-options.ts). */
const MAX_BOOTSTRAP = 256
/** Most listen addresses; a node listens on a handful of interfaces at most. */
const MAX_LISTEN = 16

const isMultiaddr = (s: string): boolean => {
  try {
    multiaddr(s)
    return true
  } catch {
    return false
  }
}

const multiaddrSchema = z.string().min(1).max(1024).refine(isMultiaddr, 'not a valid multiaddr')

/**
 * Whether a multiaddr names a peer id. zod runs this refinement even when
 * `isMultiaddr` already failed, so an address the parser refuses is
 * "no peer id" here rather than a throw out of the schema.
 */
function hasPeerId (s: string): boolean {
  try {
    return multiaddr(s).getPeerId() !== null
  } catch {
    return false
  }
}

/** `HOST:PORT` with an IPv4 address, a host name or a bracketed IPv6 address; or `off`. */
const apiAddressSchema = z.union([
  z.literal('off'),
  z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'expected HOST:PORT or off')
    .refine((s) => Number(s.slice(s.lastIndexOf(':') + 1)) <= 65535, 'port out of range')
])

/** Schema of the config file. */
export const nodeConfigFileSchema = z.strictObject({
  /** Human-readable name; the validator's name in the network file. */
  name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional(),
  /** Data directory (LevelDB, blobs), relative to the config file. */
  dataDir: z.string().min(1).max(4096).optional(),
  /** Network file, relative to the config file. */
  network: z.string().min(1).max(4096).optional(),
  /** Key file, relative to the config file. */
  key: z.string().min(1).max(4096).optional(),
  /** libp2p listen multiaddrs. */
  listen: z.array(multiaddrSchema).max(MAX_LISTEN).optional(),
  /** Multiaddrs other hosts should dial to reach this node (announced instead of `listen`). */
  announce: z.array(multiaddrSchema).max(MAX_LISTEN).optional(),
  /** Run as an observer (follow verdicts and certificates, never vote). */
  observer: z.boolean().optional(),
  /** HTTP API address `HOST:PORT`, or `off`. */
  api: apiAddressSchema.optional(),
  /** Bearer token for the API's writing routes (required when `api` is not loopback). */
  apiToken: apiTokenSchema.optional(),
  /** Peers dialled at start: multiaddrs ending in `/p2p/<peerId>`. */
  bootstrap: z.array(multiaddrSchema.refine(hasPeerId, 'a bootstrap address needs /p2p/<peerId>')).max(MAX_BOOTSTRAP).optional(),
  /** pino log level. */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).optional(),
  /** Economy deferral: pricing calendar and resource profile fields (node/economy/options.ts). */
  economy: economyConfigSchema.optional(),
  /** Blob storage: node quota, per-uploader quota of uploads no job names, their grace period and sweep interval (docs/store.md). */
  blobs: blobStorageConfigSchema.optional(),
  /** Evidence of the node's measurements: on or off, and its bounds (docs/api.md). */
  evidence: evidenceConfigSchema.optional(),
  /** What the node keeps in LevelDB for its clients: optimizer reports and reputation history, and their bounds (docs/api.md). */
  retention: retentionConfigSchema.optional(),
  /** The stop: `drainMs`, how long the measurements in flight may finish before they are abandoned (node/wiring/graceful-stop.ts). */
  shutdown: shutdownConfigSchema.optional(),
  /** The HTTP API's per-client limits: `writesPerMinute`, `readsPerMinute`, `uploadsPerMinute`, `uploadBytesPerMinute`, `maxConnectionsPerClient` (docs/bounds.md). */
  rateLimits: rateLimitsConfigSchema.optional(),
  /** The job engine's bounds: `maxOpenJobsPerSubmitter`, `maxBlobBytesInMemory`, `maxBlobBytesPerSubmitter` (docs/bounds.md). */
  jobs: jobsConfigSchema.optional()
})

/** Contents of a config file, as written. */
export type NodeConfigFile = z.output<typeof nodeConfigFileSchema>

/** A loaded config file: its contents with `dataDir`, `network` and `key` made absolute. */
export interface LoadedConfigFile {
  /** Absolute path of the file read. */
  path: string
  /** The contents; relative paths resolved against the file's directory. */
  config: NodeConfigFile
}

/**
 * Parses config file contents (size check, JSON, schema). Throws
 * `ERR_CONFIG_INVALID` with the failing field paths in `details.issues`.
 * Paths are returned as written.
 */
export function parseConfigFile (bytes: Uint8Array, what = 'config file'): NodeConfigFile {
  if (bytes.byteLength > MAX_CONFIG_FILE_BYTES) {
    throw new TrustEngineError(ERR_CONFIG_INVALID, `${what}: ${bytes.byteLength} bytes exceeds the limit of ${MAX_CONFIG_FILE_BYTES}`)
  }
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch (cause) {
    throw new TrustEngineError(ERR_CONFIG_INVALID, `${what}: not valid UTF-8 JSON`, { cause })
  }
  const parsed = nodeConfigFileSchema.safeParse(json)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }))
    throw new TrustEngineError(ERR_CONFIG_INVALID, `${what}: ${issues.map((i) => `${i.path === '' ? '(root)' : i.path}: ${i.message}`).join('; ')}`, { details: { issues } })
  }
  return parsed.data
}

/**
 * Reads the config file at `path` (at most {@link MAX_CONFIG_FILE_BYTES}),
 * parses it, and resolves `dataDir`, `network` and `key` against the file's
 * directory. Throws `ERR_CONFIG_UNREADABLE` or `ERR_CONFIG_INVALID`.
 */
export async function loadConfigFile (path: string): Promise<LoadedConfigFile> {
  const abs = resolve(path)
  let bytes: Uint8Array
  try {
    bytes = await readFileBounded(abs, MAX_CONFIG_FILE_BYTES, 'config file')
  } catch (err) {
    if (err instanceof TrustEngineError) {
      const code = err.code === ERR_FILE_TOO_LARGE ? ERR_CONFIG_INVALID : ERR_CONFIG_UNREADABLE
      throw new TrustEngineError(code, err.message, { cause: err, details: { reason: err.code } })
    }
    throw err
  }
  const config = parseConfigFile(bytes, `config file ${abs}`)
  const dir = dirname(abs)
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(dir, p))
  const resolved: NodeConfigFile = { ...config }
  if (config.dataDir !== undefined) resolved.dataDir = at(config.dataDir)
  if (config.network !== undefined) resolved.network = at(config.network)
  if (config.key !== undefined) resolved.key = at(config.key)
  return { path: abs, config: resolved }
}

/**
 * The config file as one source of node options (`resolveNodeOptions` in
 * node/config/node-options.ts): `network` → `networkFile`, `key` → `keyFile`.
 */
export function configFileToOptions (config: NodeConfigFile): PartialNodeOptions {
  const out: PartialNodeOptions = {}
  if (config.name !== undefined) out.name = config.name
  if (config.dataDir !== undefined) out.dataDir = config.dataDir
  if (config.network !== undefined) out.networkFile = config.network
  if (config.key !== undefined) out.keyFile = config.key
  if (config.listen !== undefined) out.listen = [...config.listen]
  if (config.bootstrap !== undefined) out.bootstrap = [...config.bootstrap]
  if (config.announce !== undefined) out.announce = [...config.announce]
  if (config.observer !== undefined) out.observer = config.observer
  if (config.api !== undefined) out.api = config.api
  if (config.apiToken !== undefined) out.apiToken = config.apiToken
  if (config.logLevel !== undefined) out.logLevel = config.logLevel
  if (config.economy !== undefined) out.economy = structuredClone(config.economy)
  if (config.blobs !== undefined) out.blobs = { ...config.blobs }
  if (config.evidence !== undefined) out.evidence = { ...config.evidence }
  if (config.retention !== undefined) out.retention = { ...config.retention }
  if (config.shutdown !== undefined) out.shutdown = { ...config.shutdown }
  if (config.rateLimits !== undefined) out.rateLimits = { ...config.rateLimits }
  if (config.jobs !== undefined) out.jobs = { ...config.jobs }
  return out
}
