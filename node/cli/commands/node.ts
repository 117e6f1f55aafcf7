/**
 * `trust-engine node`: runs a verifier node until SIGTERM or SIGINT.
 *
 * Options come from (lowest to highest) defaults, `--config FILE`,
 * `TRUST_ENGINE_*` environment variables and flags. With no network file the
 * node runs a single-node development network in `.trust-engine/dev`.
 */
import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import type { NodeInit } from '../../node.ts'
import { TrustEngineError, declareCode } from '../../../protocol/errors.ts'

/** Code of an address the node was asked to listen on (API or libp2p) that another process already uses. */
export const ERR_ADDRESS_IN_USE = declareCode('ERR_ADDRESS_IN_USE', { status: 409 })

/** The flags of `trust-engine node`. */
export interface NodeFlags {
  config?: string
  dataDir?: string
  network?: string
  key?: string
  name?: string
  listen?: string[]
  bootstrap?: string[]
  announce?: string[]
  observer?: boolean
  api?: string
  apiToken?: string
  apiTokenFile?: string
  logLevel?: string
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

/** Declares `trust-engine node`. */
export function register (program: Command): void {
  program
    .command('node')
    .description('run a verifier node (with no options: a single-node development network)')
    .option('--config <file>', 'config file (JSON; see docs/cli.md)')
    .option('--data-dir <dir>', 'data folder (LevelDB, blobs, key)', undefined)
    .option('--network <file>', 'network file (network.json); none runs the development network')
    .option('--key <file>', 'node key file (created when missing)')
    .option('--name <name>', 'node name in logs and the API')
    .option('--listen <multiaddr>', 'libp2p listen address (repeatable)', collect)
    .option('--bootstrap <multiaddr>', 'peer to dial, with /p2p/<peerId> (repeatable)', collect)
    .option('--announce <multiaddr>', 'address other hosts should dial to reach this node, e.g. /dns4/host.example.org/tcp/7000 (repeatable; default: the listen addresses)', collect)
    .option('--observer', 'follow verdicts and certificates without voting (the key must not be a validator\'s)')
    .option('--api <host:port>', 'HTTP API address, or "off"')
    .option('--api-token <token>', 'bearer token for writing routes (required off loopback; visible in ps: prefer --api-token-file or TRUST_ENGINE_API_TOKEN)')
    .option('--api-token-file <file>', 'file holding the bearer token (trimmed; at most 1 KiB); also TRUST_ENGINE_API_TOKEN_FILE')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
    .action(async (flags: NodeFlags) => { await runNode(flags) })
}

/**
 * The node's start options, resolved from the flags, the environment and the
 * config file (lowest to highest: defaults, config file, environment, flags).
 * Also used by the fault simulation's node host (sim/node-host.ts), which
 * adds its own fault hooks; this command never sets any.
 */
export async function resolveNodeInit (flags: NodeFlags): Promise<NodeInit & { dataDir: string }> {
  const { resolveNodeOptions, optionsFromEnv } = await import('../../config/node-options.ts')
  const { loadConfigFile, configFileToOptions } = await import('../../config/config-file.ts')
  const { ensureDevNetwork } = await import('../../config/dev-network.ts')
  const { parseNetwork } = await import('../../../protocol/network.ts')
  const { readFileBounded } = await import('../../files/read-bounded.ts')
  const { MAX_NETWORK_FILE_BYTES } = await import('../../../protocol/constants.ts')

  const env = optionsFromEnv(process.env)
  const configPath = flags.config ?? env.config
  const fromFile = configPath === undefined ? {} : configFileToOptions((await loadConfigFile(configPath)).config)
  const { config: _ignored, ...fromEnv } = env
  // A token in a file keeps it out of `ps` and of the environment of child processes.
  const tokenFrom = async (path: string | undefined): Promise<string | undefined> =>
    path === undefined || path === '' ? undefined : new TextDecoder().decode(await readFileBounded(path, 1024, 'API token file')).trim()
  const envTokenFromFile = await tokenFrom(process.env.TRUST_ENGINE_API_TOKEN_FILE)
  if (envTokenFromFile !== undefined && fromEnv.apiToken === undefined) fromEnv.apiToken = envTokenFromFile
  const flagToken = flags.apiToken ?? await tokenFrom(flags.apiTokenFile)
  const options = resolveNodeOptions([fromFile, fromEnv, {
    name: flags.name,
    dataDir: flags.dataDir,
    networkFile: flags.network,
    keyFile: flags.key,
    listen: flags.listen,
    bootstrap: flags.bootstrap,
    announce: flags.announce,
    observer: flags.observer,
    api: flags.api,
    apiToken: flagToken,
    logLevel: flags.logLevel as never
  }])
  const network = options.networkFile === null
    ? ensureDevNetwork(options.dataDir, options.keyFile).network
    : parseNetwork(await readFileBounded(options.networkFile, MAX_NETWORK_FILE_BYTES, 'network file'))
  return {
    dataDir: options.dataDir,
    network,
    keyFile: options.keyFile,
    name: options.name,
    listen: options.listen,
    bootstrap: options.bootstrap,
    announce: options.announce,
    // The development network's only validator is this node's own key.
    role: options.observer ? 'observer' : 'validator',
    api: options.api === null ? null : { host: options.api.host, port: options.api.port, ...(options.apiToken === null ? {} : { token: options.apiToken }), ...options.rateLimits },
    logLevel: options.logLevel,
    economy: options.economy,
    blobs: options.blobs,
    evidence: options.evidence,
    engine: { ...options.jobs },
    optimizerReports: {
      ...(options.retention.maxOptimizerReports === undefined ? {} : { maxReports: options.retention.maxOptimizerReports }),
      ...(options.retention.maxOptimizerReportBytes === undefined ? {} : { maxReportBytes: options.retention.maxOptimizerReportBytes })
    },
    reputationHistory: options.retention.maxReputationPointsPerValidator === undefined ? {} : { maxPointsPerValidator: options.retention.maxReputationPointsPerValidator },
    retention: {
      ...(options.retention.pruneDecidedJobs === undefined ? {} : { enabled: options.retention.pruneDecidedJobs }),
      ...(options.retention.decidedJobsMs === undefined ? {} : { decidedJobsMs: options.retention.decidedJobsMs }),
      ...(options.retention.pruneIntervalMs === undefined ? {} : { intervalMs: options.retention.pruneIntervalMs }),
      ...(options.retention.maxJobsPerPrune === undefined ? {} : { maxJobsPerPass: options.retention.maxJobsPerPrune })
    },
    shutdown: options.shutdown
  }
}

/** Runs a node process until SIGTERM or SIGINT. */
async function runNode (flags: NodeFlags): Promise<void> {
  const { createNode } = await import('../../node.ts')
  const init = await resolveNodeInit(flags)
  const node = await createNode(init).catch((err: unknown) => { throw addressInUse(err) ?? err })
  const info = node.info()
  // The handlers come before the ready line: a signal sent on seeing that line must find them installed
  // (until a listener exists, SIGTERM has its default action and ends the process without a clean stop).
  // The first signal stops gracefully (new work refused, the measurements in flight finish up to the drain bound);
  // a second one cuts the drain and stops at once, still cleanly (node.stopped is written, the trail verifies).
  const stopped = new Promise<void>((resolve) => {
    let signals = 0
    const shutdown = (): void => {
      signals++
      if (signals > 1) {
        process.off('SIGTERM', shutdown)
        process.off('SIGINT', shutdown)
        void node.stop({ force: true })
        return
      }
      node.stop().then(resolve, (err: unknown) => { process.stderr.write(`error while stopping: ${String(err)}\n`); process.exitCode = 1; resolve() })
    }
    process.on('SIGTERM', shutdown)
    process.on('SIGINT', shutdown)
  })
  // One machine-readable line on stderr for scripts and tests; logs go to stdout.
  process.stderr.write(`trust-engine node ready ${JSON.stringify({ name: info.name, role: info.role, peerId: info.peerId, networkId: info.networkId, apiUrl: info.apiUrl, listen: info.listenAddresses, dataDir: init.dataDir })}\n`)
  await stopped
}

/** An `EADDRINUSE` anywhere in the cause chain (API or libp2p listen) as a typed error; null otherwise. */
export function addressInUse (err: unknown): TrustEngineError | null {
  for (let e: unknown = err, depth = 0; e !== null && e !== undefined && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    const message = String((e as { message?: unknown }).message ?? '')
    if (code === 'EADDRINUSE' || message.includes('EADDRINUSE')) {
      return new TrustEngineError(ERR_ADDRESS_IN_USE, `an address the node listens on is already in use (${message}); choose another --api or --listen port`, { cause: err })
    }
  }
  return null
}
