/**
 * `trust-engine keygen --out FILE [--force] [--json]`: writes a new node key
 * file (mode 0600) and prints its public key and the libp2p peer id derived
 * from it.
 *
 * Exit codes: 0 written; 2 error, e.g. `ERR_KEY_FILE_EXISTS` when FILE exists
 * and `--force` is not given (an existing key is never replaced by accident).
 */
import { CommanderError, type Command } from 'commander'

/** Maps commander's usage errors (exit code 1) to exit code 2, as for every other error; help keeps 0. */
function usageErrorsExit2 (err: CommanderError): never {
  if (err.exitCode === 0) throw err
  throw new CommanderError(2, err.code, err.message)
}

/** Declares `keygen`. */
export function register (program: Command): void {
  program
    .command('keygen')
    .description('generate a node key file (ed25519; also the libp2p peer id)')
    .requiredOption('--out <file>', 'where to write the key file, e.g. DATA_DIR/key.json')
    .option('--force', 'replace an existing key file (the old key is lost)')
    .option('--json', 'print { publicKey, peerId, file } as JSON')
    .exitOverride(usageErrorsExit2)
    .action(async (flags: { out: string, force?: boolean, json?: boolean }) => {
      const { generateKeyFile, peerIdOf } = await import('../../keys.ts')
      const keyFile = generateKeyFile(flags.out, { overwrite: flags.force === true })
      const out = { publicKey: keyFile.publicKey, peerId: peerIdOf(keyFile.publicKey).toString(), file: flags.out }
      process.stdout.write(flags.json === true
        ? JSON.stringify(out, null, 2) + '\n'
        : `public key ${out.publicKey}\npeer id    ${out.peerId}\nwritten to ${out.file}\n`)
    })
}
