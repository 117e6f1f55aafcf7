/**
 * `trust-engine network add-validator --network FILE --name NAME
 * (--public-key HEX | --key KEYFILE) [--weight W] [--out FILE2]`: writes the
 * network file with one more validator and prints what changed (validator
 * count, total weight, the weight finality needs, the network digest).
 *
 * The operators of a network run it with the public key a joining operator
 * sent them (`trust-engine keygen` prints it), then give the new file to
 * every validator. Adding a validator that is already there with the same
 * key and weight changes nothing and exits 0, so set-up scripts can re-run
 * it; `--network-id ID` creates FILE when it does not exist yet.
 *
 * Exit codes: 0 written or unchanged; 2 error (bad flags, an unreadable or
 * invalid network file, `ERR_VALIDATOR_EXISTS` when the name or the key is
 * already taken by a different entry, `ERR_NETWORK_MISMATCH` when
 * `--network-id` names another network than FILE's).
 */
import type { Command } from 'commander'
import { MAX_NETWORK_FILE_BYTES, PROTOCOL_VERSION } from '../../../protocol/constants.ts'
import { TrustEngineError, declareCode } from '../../../protocol/errors.ts'
import type { NetworkConfig, NetworkInput } from '../../../protocol/network.ts'
import { ERR_FILE_NOT_FOUND, readFileBounded } from '../../files/read-bounded.ts'
import { writeFileAtomic } from '../../files/write-atomic.ts'
import { badArgs, parseIntArg } from '../args.ts'

/** Code of a name or public key already used by another validator of the network. */
export const ERR_VALIDATOR_EXISTS = declareCode('ERR_VALIDATOR_EXISTS', { status: 409 })
/** Code of `--network-id` naming another network than the existing file's. */
export const ERR_NETWORK_MISMATCH = declareCode('ERR_NETWORK_MISMATCH', { status: 409 })
/** Code of a network file that could not be written (file system failure). */
export const ERR_NETWORK_WRITE = declareCode('ERR_NETWORK_WRITE', { status: 500 })

/** What {@link addValidator} is asked to add. */
export interface AddValidatorRequest {
  /** The network file to read (and, without `out`, to replace). */
  networkFile: string
  /** Where to write the new file; `networkFile` by default. */
  out?: string
  name: string
  /** Raw ed25519 public key, 64 lowercase hex characters. */
  publicKey: string
  /** Base weight (default 1, as `network init` gives every validator). */
  weight?: number
  /** Creates a one-validator network with this id when `networkFile` does not exist. */
  createNetworkId?: string
}

/** One side of the change. */
export interface NetworkSummary {
  validators: number
  totalWeight: number
  /** Smallest weight that is strictly more than two thirds of the total: what finality needs. */
  quorumWeight: number
  digest: string
}

/** What {@link addValidator} did. */
export interface AddValidatorResult {
  /** `added`, `unchanged` (already there, same key and weight) or `created` (a new network file). */
  change: 'added' | 'unchanged' | 'created'
  networkId: string
  validator: { name: string, publicKey: string, weight: number, peerId: string }
  before: NetworkSummary | null
  after: NetworkSummary
  /** The file written (absent when unchanged). */
  written: string | null
}

/** Strictly more than two thirds of `total` (protocol/consensus: finality needs 3·w > 2·total). */
export function quorumWeight (total: number): number {
  return Math.floor((2 * total) / 3) + 1
}

/** Reads the network file, adds the validator, writes the result atomically (mode 0644). */
export async function addValidator (request: AddValidatorRequest): Promise<AddValidatorResult> {
  // The schemas (zod) load here, not when the command line starts (docs/cli.md, "Start-up").
  const [{ peerIdOf }, { networkDigest, parseNetwork, totalBaseWeight }, { networkIdSchema, publicKeySchema }] = await Promise.all([
    import('../../keys.ts'), import('../../../protocol/network.ts'), import('../../../protocol/fields.ts')
  ])
  const summary = (network: NetworkConfig): NetworkSummary => {
    const total = totalBaseWeight(network)
    return { validators: network.validators.length, totalWeight: total, quorumWeight: quorumWeight(total), digest: networkDigest(network) }
  }
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(request.name)) throw badArgs('--name', 'letters, digits, dots, dashes and underscores, 1 to 64 characters')
  if (!publicKeySchema.safeParse(request.publicKey).success) throw badArgs('--public-key', 'expected 64 lowercase hex characters (the "public key" line of trust-engine keygen)')
  const weight = request.weight ?? 1
  const validator = { name: request.name, publicKey: request.publicKey, weight }
  const peerId = peerIdOf(request.publicKey).toString()
  let bytes: Uint8Array | null = null
  try {
    bytes = await readFileBounded(request.networkFile, MAX_NETWORK_FILE_BYTES, 'network file')
  } catch (err) {
    if (!(err instanceof TrustEngineError && err.code === ERR_FILE_NOT_FOUND && request.createNetworkId !== undefined)) throw err
  }
  const out = request.out ?? request.networkFile
  if (bytes === null) {
    const id = request.createNetworkId!
    if (!networkIdSchema.safeParse(id).success) throw badArgs('--network-id', 'lowercase letters, digits and dashes, 1 to 63 characters')
    const input: NetworkInput = { networkId: id, protocolVersion: PROTOCOL_VERSION, validators: [validator] }
    const created = parseNetwork(input)
    await writeJson(out, input)
    return { change: 'created', networkId: id, validator: { ...validator, peerId }, before: null, after: summary(created), written: out }
  }
  // Size, JSON and schema first (ERR_NETWORK_INVALID); the file as written is kept for the output.
  const before = parseNetwork(bytes)
  const raw = JSON.parse(Buffer.from(bytes).toString('utf8')) as NetworkInput
  if (request.createNetworkId !== undefined && request.createNetworkId !== before.networkId) {
    throw new TrustEngineError(ERR_NETWORK_MISMATCH, `${request.networkFile} is network ${before.networkId}, not ${request.createNetworkId}`)
  }
  const sameName = before.validators.find((v) => v.name === validator.name)
  const sameKey = before.validators.find((v) => v.publicKey === validator.publicKey)
  if (sameName !== undefined && sameName === sameKey && sameName.weight === weight) {
    return { change: 'unchanged', networkId: before.networkId, validator: { ...validator, peerId }, before: summary(before), after: summary(before), written: null }
  }
  if (sameName !== undefined) throw new TrustEngineError(ERR_VALIDATOR_EXISTS, `a validator named ${validator.name} already exists with another key or weight`, { details: { field: 'name' } })
  if (sameKey !== undefined) throw new TrustEngineError(ERR_VALIDATOR_EXISTS, `the key is already validator ${sameKey.name}`, { details: { field: 'publicKey' } })
  // The file as written plus one entry: parameters left out stay left out (their defaults apply).
  const next = { ...raw, validators: [...raw.validators, validator] }
  const after = parseNetwork(next)
  await writeJson(out, next)
  return { change: 'added', networkId: before.networkId, validator: { ...validator, peerId }, before: summary(before), after: summary(after), written: out }
}

/** The human-readable report of a result: what changed and what the operators do next. */
export function describeChange (r: AddValidatorResult): string {
  const v = r.validator
  const lines: string[] = []
  if (r.change === 'unchanged') {
    lines.push(`unchanged: ${v.name} is already a validator of ${r.networkId} with this key and weight ${v.weight}`)
    return lines.join('\n') + '\n'
  }
  lines.push(`${r.change === 'created' ? 'created network' : 'network'} ${r.networkId}: ${r.written}`)
  lines.push(`+ validator ${v.name}  weight ${v.weight}`)
  lines.push(`    public key ${v.publicKey}`)
  lines.push(`    peer id    ${v.peerId}`)
  const b = r.before
  const a = r.after
  const arrow = (x: number | string | undefined, y: number | string): string => (x === undefined ? String(y) : `${String(x)} -> ${String(y)}`)
  lines.push(`  validators   ${arrow(b?.validators, a.validators)}`)
  lines.push(`  total weight ${arrow(b?.totalWeight, a.totalWeight)}`)
  lines.push(`  finality needs weight ${arrow(b?.quorumWeight, a.quorumWeight)} (more than 2/3)`)
  lines.push(`  digest       ${arrow(b?.digest, a.digest)}`)
  if (r.change === 'added') {
    lines.push('next: give this file to every validator and restart each with it; certificates made before name the old digest and verify with the old file')
  }
  return lines.join('\n') + '\n'
}

async function writeJson (path: string, value: unknown): Promise<void> {
  try {
    await writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n', { mode: 0o644 })
  } catch (err) {
    throw new TrustEngineError(ERR_NETWORK_WRITE, `cannot write ${path}: ${(err as Error).message}`, { cause: err })
  }
}

interface AddFlags {
  network: string
  name: string
  publicKey?: string
  key?: string
  weight?: string
  out?: string
  networkId?: string
  json?: boolean
}

/** Declares `network add-validator` on the `network` command. */
export function registerAddValidator (network: Command): void {
  network
    .command('add-validator')
    .description('write the network file with one more validator and print what changed')
    .requiredOption('--network <file>', 'the network file (network.json)')
    .requiredOption('--name <name>', 'the new validator\'s name')
    .option('--public-key <hex>', 'its public key (printed by trust-engine keygen)')
    .option('--key <file>', 'or read the public key from its key file')
    .option('--weight <w>', 'base weight (default 1)')
    .option('--out <file>', 'write the new network file here (default: replace --network)')
    .option('--network-id <id>', 'create the file as a new network with this id when it does not exist')
    .option('--json', 'print the change as JSON')
    .action(async (flags: AddFlags) => {
      if ((flags.publicKey === undefined) === (flags.key === undefined)) throw badArgs('--public-key', 'give exactly one of --public-key and --key')
      const publicKey = flags.publicKey ?? (await import('../../keys.ts')).loadKeyFile(flags.key!).publicKey
      const { MAX_BASE_WEIGHT } = await import('../../../protocol/constants.ts')
      const result = await addValidator({
        networkFile: flags.network,
        name: flags.name,
        publicKey,
        ...(flags.weight === undefined ? {} : { weight: parseIntArg('--weight', flags.weight, 1, MAX_BASE_WEIGHT) }),
        ...(flags.out === undefined ? {} : { out: flags.out }),
        ...(flags.networkId === undefined ? {} : { createNetworkId: flags.networkId })
      })
      process.stdout.write(flags.json === true ? JSON.stringify(result, null, 2) + '\n' : describeChange(result))
    })
}
