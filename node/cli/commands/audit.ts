/**
 * `trust-engine audit verify --data-dir DIR [--json]`: verifies the
 * hash-chained signed audit trail of a node's data folder (DIR/db), against
 * the node key and network the store recorded when it was first opened, or
 * against `--public-key` and `--network-id` when given (a key known from the
 * network file is stronger evidence than one stored beside the chain).
 *
 * Exit codes: 0 the chain is intact; 1 the chain is broken (the first bad
 * entry is named); 2 usage or I/O error, including `ERR_AUDIT_NETWORK_MISMATCH`
 * when the chain verifies under the store's recorded network id but not under
 * the `--network-id` given (the message names both ids). LevelDB locks its folder, so on a
 * running node's folder this fails with `ERR_STORE_LOCKED` (exit 2): stop the
 * node first, or read its trail over the HTTP API.
 */
import { CommanderError, type Command } from 'commander'
import { TrustEngineError } from '../../../protocol/errors.ts'

/** Maps commander's usage errors (exit code 1, which here means a broken chain) to exit code 2. */
function usageErrorsExit2 (err: CommanderError): never {
  if (err.exitCode === 0) throw err
  throw new CommanderError(2, err.code, err.message)
}

interface VerifyFlags {
  dataDir: string
  json?: boolean
  publicKey?: string
  networkId?: string
}

/** Declares `audit` and its subcommand `verify`. */
export function register (program: Command): void {
  const audit = program
    .command('audit')
    .description("inspect a node's audit trail")
    .exitOverride(usageErrorsExit2)
  audit
    .command('verify')
    .description('verify the audit trail of a stopped node (hash chain, signatures, signed head)')
    .requiredOption('--data-dir <dir>', 'the node data folder (holds db/ and key.json)')
    .option('--public-key <hex>', 'verify against this node public key instead of the recorded one')
    .option('--network-id <id>', 'verify against this network id instead of the recorded one')
    .option('--json', 'print the result as JSON')
    .exitOverride(usageErrorsExit2)
    .action(async (flags: VerifyFlags) => {
      const {
        dataDirLayout, openStore, verifyAudit, StoreIdentitySchema, ERR_AUDIT_NETWORK_MISMATCH, ERR_STORE_BAD_VALUE, ERR_STORE_NO_IDENTITY
      } = await import('../../store/index.ts')
      const store = await openStore(dataDirLayout(flags.dataDir).db, { createIfMissing: false })
      try {
        const publicKey = flags.publicKey ?? store.identity?.publicKey
        const networkId = flags.networkId ?? store.identity?.networkId
        if (publicKey === undefined || networkId === undefined) {
          throw new TrustEngineError(ERR_STORE_NO_IDENTITY, 'the store records no node identity; give --public-key and --network-id')
        }
        if (!StoreIdentitySchema.safeParse({ publicKey, networkId }).success) {
          throw new TrustEngineError(ERR_STORE_BAD_VALUE, '--public-key must be 64 lowercase hex characters and --network-id printable ASCII')
        }
        const result = await verifyAudit(store, publicKey, networkId)
        // Not a broken chain but a wrong argument: an error (exit 2) that names the chain's network id.
        if (!result.ok && result.code === ERR_AUDIT_NETWORK_MISMATCH) {
          throw new TrustEngineError(ERR_AUDIT_NETWORK_MISMATCH, `${result.reason} (--network-id)`, {
            details: { networkId, chainNetworkId: result.chainNetworkId }
          })
        }
        if (flags.json === true) {
          process.stdout.write(JSON.stringify({ ...result, publicKey, networkId }, null, 2) + '\n')
        } else if (result.ok) {
          process.stdout.write(`audit trail intact: ${result.length} entries` +
            (result.head === null ? '\n' : `, head seq ${result.head.seq} hash ${result.head.hash}\n`))
        } else {
          process.stdout.write(`audit trail broken at entry ${result.seq}: ${result.code}: ${result.reason}\n`)
        }
        if (!result.ok) process.exitCode = 1
      } finally {
        await store.close()
      }
    })
}
