#!/usr/bin/env node
/**
 * Entry point of the `trust-engine` command.
 *
 * Each command lives in its own file under `node/cli/commands/` and exports a
 * `register(program)` function that declares its flags. Heavy modules (libp2p,
 * glTF-Transform) are imported inside the command's action, so `--help` and
 * light commands start fast.
 */
import { Command, CommanderError } from 'commander'
import { TrustEngineError } from '../../protocol/errors.ts'
import { VERSION } from '../version.ts'
import { COMMANDS } from './commands/index.ts'
import { skipNativePixels } from '../optimizer/skip-native-pixels.ts'

// Before any command imports the optimizer: glTF-Transform must not load sharp (start-up time, determinism).
skipNativePixels()

/** Builds the commander program with every registered command. */
export function buildProgram (): Command {
  const program = new Command()
  program
    .name('trust-engine')
    .description('Trust Engine: a peer-to-peer network of verifier nodes for optimized 3D content')
    .version(VERSION)
    .showHelpAfterError()
  for (const register of COMMANDS) register(program)
  return program
}

/**
 * A reader of the output that went away (`trust-engine sim list | head -1`,
 * `| grep -q`) ends the command quietly with its exit code so far, as other
 * Unix tools end, instead of Node's unhandled EPIPE and its stack. Not for
 * `node`, whose stop is its own (logs that cannot be written stop nothing).
 */
function endQuietlyOnClosedOutput (): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err
    process.exit(process.exitCode ?? 0)
  })
}

/** Runs the CLI with `argv` (defaults to the process arguments); sets the exit code on errors. */
export async function runCli (argv: string[] = process.argv): Promise<void> {
  if (argv[2] !== 'node') endQuietlyOnClosedOutput()
  const program = buildProgram()
  program.exitOverride()
  try {
    await program.parseAsync(argv)
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode
      return
    }
    if (err instanceof TrustEngineError) {
      process.stderr.write(`error ${err.code}: ${err.message}\n`)
      process.exitCode = 2
      return
    }
    throw err
  }
}

// Not a top-level await: the launcher's bundle of this module is CommonJS (bin/bundle-cache.js), which has none.
// An unexpected error still ends the process with its stack, as an unhandled rejection.
if (import.meta.main === true || process.argv[1] === new URL(import.meta.url).pathname) {
  void runCli()
}
