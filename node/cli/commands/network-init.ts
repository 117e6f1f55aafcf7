/**
 * `trust-engine network init --nodes N --out DIR`: creates a local network
 * of N validators, ready to start with one `trust-engine node --config
 * DIR/nodeK/config.json` per node.
 *
 * Writes, all with paths relative to DIR so the folder can be moved:
 * - `DIR/nodeK/key.json`    the node's ed25519 key (mode 0600);
 * - `DIR/nodeK/config.json` the node's config file (node/config/config-file.ts);
 * - `DIR/nodes.json`        name, peer id, public key, config path, listen
 *                           address and API URL of every node;
 * - `DIR/network.json`      the network file (protocol/network.ts), written
 *                           last, so its presence marks a complete init; its
 *                           floor of job thresholds (`minThresholds`) is the
 *                           default thresholds.
 *
 * Exit codes: 0 written; 2 error (bad flags, DIR/network.json exists
 * without --force, ports unavailable, I/O).
 */
import { randomBytes } from 'node:crypto'
import { chmod, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Command } from 'commander'
import { TrustEngineError, declareCode } from '../../../protocol/errors.ts'
import { sha256Hex } from '../../../protocol/hash.ts'
import { ERR_OUTPUT_WRITE_FAILED, writeFileAtomic } from '../../files/write-atomic.ts'
import { ensureDir } from '../../files/ensure-dir.ts'
import { badArgs, parseIntArg } from '../args.ts'
import { registerAddValidator } from './network-add-validator.ts'

/** Code of an init that would overwrite an existing network without `--force`. */
export const ERR_NETWORK_EXISTS = declareCode('ERR_NETWORK_EXISTS', { status: 409 })
/** Code of free ports that could not be found (with `--base-port 0` or `--api-base-port 0`). */
export const ERR_PORTS_UNAVAILABLE = declareCode('ERR_PORTS_UNAVAILABLE', { status: 503 })

/** Options of {@link initNetwork}. */
export interface NetworkInitOptions {
  /** Number of validators. */
  nodes: number
  /** Output directory (created when missing). */
  out: string
  /** Network id; `local-<8 hex>` from the public keys when absent. */
  networkId: string | undefined
  /** libp2p port of node K is basePort + K; 0 picks free ports below the ephemeral range. */
  basePort: number
  /** API port of node K is apiBasePort + K; 0 picks free ports below the ephemeral range. */
  apiBasePort: number
  /** IPv4 address every node listens on and serves its API on. */
  host: string
  /** Overwrite an existing network in `out`. */
  force: boolean
}

/** Defaults of {@link NetworkInitOptions}. */
export const DEFAULT_NETWORK_INIT_OPTIONS: Omit<NetworkInitOptions, 'nodes' | 'out'> = {
  networkId: undefined,
  // 17001.. and 17101..: registered-range ports that are rarely in use and
  // below Linux's ephemeral range (32768+), so an outgoing connection never
  // takes them first; a hundred apart so up to 99 nodes do not overlap.
  basePort: 17000,
  apiBasePort: 17100,
  // Loopback: a local network needs no API tokens and is unreachable from outside.
  host: '127.0.0.1',
  force: false
}

/** One node as listed in `nodes.json`. */
export interface NodeEntry {
  name: string
  peerId: string
  publicKey: string
  /** Config file, relative to the network directory. */
  config: string
  /** libp2p listen address with `/p2p/<peerId>`, as others dial it. */
  listen: string
  apiUrl: string
}

/** Contents of `nodes.json`. */
export interface NodesFile {
  networkId: string
  nodes: NodeEntry[]
}

/** Writes a network of `opts.nodes` validators into `opts.out`; returns the contents of `nodes.json`. */
export async function initNetwork (options: Partial<NetworkInitOptions> & Pick<NetworkInitOptions, 'nodes' | 'out'>): Promise<NodesFile> {
  const opts: NetworkInitOptions = { ...DEFAULT_NETWORK_INIT_OPTIONS, ...stripUndefined(options), nodes: options.nodes, out: options.out }
  // Imported here, not at the top: every CLI command registers this one, and these modules (node:net among them) would
  // otherwise be loaded by every short command's start-up.
  const [{ generateKeyFile, peerIdOf }, { parseNetwork }, { PROTOCOL_VERSION, MAX_VALIDATORS }, { networkIdSchema }, { isLoopbackHost }, { isIP }] = await Promise.all([
    import('../../keys.ts'), import('../../../protocol/network.ts'), import('../../../protocol/constants.ts'), import('../../../protocol/fields.ts'), import('../../api/options.ts'), import('node:net')
  ])
  if (!Number.isInteger(opts.nodes) || opts.nodes < 1 || opts.nodes > MAX_VALIDATORS) throw badArgs('--nodes', `must be between 1 and ${MAX_VALIDATORS}`)
  if (isIP(opts.host) !== 4) throw badArgs('--host', 'expected an IPv4 address such as 127.0.0.1')
  if (opts.networkId !== undefined && !networkIdSchema.safeParse(opts.networkId).success) {
    throw badArgs('--network-id', 'lowercase letters, digits and dashes, 1 to 63 characters')
  }
  const dir = resolve(opts.out)
  const networkPath = join(dir, 'network.json')
  if (!opts.force && await exists(networkPath)) {
    throw new TrustEngineError(ERR_NETWORK_EXISTS, `${networkPath} exists; pass --force to overwrite it`)
  }
  const ports = await choosePorts(opts)
  // Owner-only folders: they hold the nodes' private keys and data (the umask could leave them world-readable).
  ensureDir(dir, ERR_OUTPUT_WRITE_FAILED, '--out: the folder', 0o700)
  await chmod(dir, 0o700)

  const names = Array.from({ length: opts.nodes }, (_, i) => `node${i + 1}`)
  const keys: Array<{ publicKey: string }> = []
  for (const name of names) {
    ensureDir(join(dir, name), ERR_OUTPUT_WRITE_FAILED, '--out: the folder', 0o700)
    await chmod(join(dir, name), 0o700)
    keys.push(generateKeyFile(join(dir, name, 'key.json'), { overwrite: opts.force }))
  }
  const networkId = opts.networkId ?? `local-${sha256Hex(keys.map((k) => k.publicKey).sort().join('')).slice(0, 8)}`
  const base = {
    networkId,
    protocolVersion: PROTOCOL_VERSION,
    validators: names.map((name, i) => ({ name, publicKey: keys[i]!.publicKey, weight: 1 }))
  }
  // The floor of job thresholds is the default thresholds: a job of this network may be stricter than the defaults,
  // never laxer, so its `validated` means at least the network's default quality (docs/protocol.md, "The floor of job thresholds").
  const network = parseNetwork({ ...base, minThresholds: { ...parseNetwork(base).thresholds } })
  const loopback = isLoopbackHost(opts.host)
  const entries: NodeEntry[] = names.map((name, i) => {
    const peerId = peerIdOf(keys[i]!.publicKey).toString()
    return {
      name,
      peerId,
      publicKey: keys[i]!.publicKey,
      config: `${name}/config.json`,
      listen: `/ip4/${opts.host}/tcp/${ports.p2p[i]!}/p2p/${peerId}`,
      apiUrl: `http://${opts.host}:${ports.api[i]!}`
    }
  })
  for (const [i, entry] of entries.entries()) {
    const config: Record<string, unknown> = {
      name: entry.name,
      dataDir: '.',
      network: '../network.json',
      key: 'key.json',
      listen: [`/ip4/${opts.host}/tcp/${ports.p2p[i]!}`],
      api: `${opts.host}:${ports.api[i]!}`,
      bootstrap: entries.filter((e) => e !== entry).map((e) => e.listen)
    }
    // Off loopback the API's writing routes need a token (node/api/options.ts).
    if (!loopback) config.apiToken = randomBytes(24).toString('hex')
    await writeJson(join(dir, entry.name, 'config.json'), config, loopback ? 0o644 : 0o600)
  }
  const nodesFile: NodesFile = { networkId, nodes: entries }
  await writeJson(join(dir, 'nodes.json'), nodesFile, 0o644)
  await writeJson(networkPath, network, 0o644)
  return nodesFile
}

/** Ports of every node: fixed ranges, or free ports below the ephemeral range (free-ports.ts). */
async function choosePorts (opts: NetworkInitOptions): Promise<{ p2p: number[], api: number[] }> {
  const range = (base: number, flag: string): number[] => {
    if (base + opts.nodes > 65535) throw badArgs(flag, `${base} + ${opts.nodes} nodes exceeds port 65535`)
    return Array.from({ length: opts.nodes }, (_, i) => base + i + 1)
  }
  const fixedP2p = opts.basePort === 0 ? null : range(opts.basePort, '--base-port')
  const fixedApi = opts.apiBasePort === 0 ? null : range(opts.apiBasePort, '--api-base-port')
  const taken = new Set([...(fixedP2p ?? []), ...(fixedApi ?? [])])
  if (fixedP2p !== null && fixedApi !== null && taken.size !== 2 * opts.nodes) {
    throw badArgs('--api-base-port', 'the libp2p and API port ranges overlap; move one base port')
  }
  const needed = (fixedP2p === null ? opts.nodes : 0) + (fixedApi === null ? opts.nodes : 0)
  const free = await freeNodePorts(opts.host, needed, taken)
  return { p2p: fixedP2p ?? free.splice(0, opts.nodes), api: fixedApi ?? free.splice(0, opts.nodes) }
}

/** `count` distinct free TCP ports on `host`, none in `avoid` (free-ports.ts); `ERR_PORTS_UNAVAILABLE` when there are not so many. */
async function freeNodePorts (host: string, count: number, avoid: Set<number>): Promise<number[]> {
  const { freePorts } = await import('../free-ports.ts')
  let ports: number[]
  try {
    ports = await freePorts(host, count, avoid)
  } catch (err) {
    throw new TrustEngineError(ERR_PORTS_UNAVAILABLE, `cannot bind ${host}: ${(err as Error).message}`, { cause: err })
  }
  if (ports.length < count) throw new TrustEngineError(ERR_PORTS_UNAVAILABLE, `found only ${ports.length} of ${count} free ports on ${host}`)
  return ports
}

async function writeJson (path: string, value: unknown, mode: number): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n', { mode })
}

async function exists (path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

function stripUndefined<T extends object> (o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

interface InitFlags {
  nodes: string
  out: string
  networkId?: string
  basePort?: string
  apiBasePort?: string
  host?: string
  force?: boolean
  json?: boolean
}

/** Declares `network` and its subcommands `init` and `add-validator` (network-add-validator.ts). */
export function register (program: Command): void {
  const network = program.command('network').description('create and inspect networks of validators')
  registerAddValidator(network)
  network
    .command('init')
    .description('create keys, configs and the network file of a local network of N validators')
    .requiredOption('--nodes <n>', 'number of validators')
    .requiredOption('--out <dir>', 'output directory')
    .option('--network-id <id>', 'network id (default local-<8 hex of the sha256 of the sorted public keys>)')
    .option('--base-port <p>', `libp2p port of node K is P+K; 0 picks free ports below the ephemeral range (default ${DEFAULT_NETWORK_INIT_OPTIONS.basePort})`)
    .option('--api-base-port <q>', `API port of node K is Q+K; 0 picks free ports below the ephemeral range (default ${DEFAULT_NETWORK_INIT_OPTIONS.apiBasePort})`)
    .option('--host <ipv4>', `address the nodes listen on (default ${DEFAULT_NETWORK_INIT_OPTIONS.host})`)
    .option('--force', 'overwrite an existing network in the directory')
    .option('--json', 'print nodes.json')
    .action(async (flags: InitFlags) => {
      const nodes = await initNetwork({
        nodes: parseIntArg('--nodes', flags.nodes, 1, 1000),
        out: flags.out,
        networkId: flags.networkId,
        basePort: flags.basePort === undefined ? undefined : parseIntArg('--base-port', flags.basePort, 0, 65534),
        apiBasePort: flags.apiBasePort === undefined ? undefined : parseIntArg('--api-base-port', flags.apiBasePort, 0, 65534),
        host: flags.host,
        force: flags.force === true
      })
      if (flags.json === true) {
        process.stdout.write(JSON.stringify(nodes, null, 2) + '\n')
        return
      }
      process.stdout.write(`network ${nodes.networkId}: ${nodes.nodes.length} validators in ${flags.out}\n`)
      for (const n of nodes.nodes) process.stdout.write(`  ${n.name}  ${n.listen}  ${n.apiUrl}\n`)
      process.stdout.write(`start node K with: trust-engine node --config ${join(flags.out, 'node<K>', 'config.json')}\n`)
    })
}
