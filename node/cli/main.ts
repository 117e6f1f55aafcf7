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
import { TrustEngineError, declareCode } from '../../protocol/errors.ts'
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

/**
 * What the CLI prints for an error that is no `TrustEngineError` (a bug, or a
 * failure no code was given yet), with exit code 2.
 */
export const ERR_UNEXPECTED = declareCode('ERR_UNEXPECTED', { status: 500 })

/** Environment variable that, set to `1`, prints an unexpected error's stack (and causes) after its line. */
export const ENV_DEBUG = 'TRUST_ENGINE_DEBUG'

/** Longest message of an unexpected error on its line; a message can quote a whole input. */
const MAX_UNEXPECTED_MESSAGE = 300

/** `String(value)` that never throws (a thrown value may be anything, with a `toString` that throws). */
function safeString (value: unknown): string {
  try {
    return String(value)
  } catch {
    return '(a value that cannot be printed)'
  }
}

/**
 * Where `err` was thrown, as `file:line[:column]`: the source position Node
 * puts above a syntax error's stack (a file it refuses to load), else the
 * first stack frame outside Node's own modules; null when there is none.
 */
function whereThrown (err: Error): string | null {
  let stack: string
  try {
    stack = typeof err.stack === 'string' ? err.stack : ''
  } catch {
    return null
  }
  const lines = stack.split('\n')
  let where: string | undefined
  if (/^(?:file:\/\/|\/)\S*:\d+$/.test(lines[0] ?? '')) {
    where = lines[0]
  } else {
    for (const l of lines) {
      const frame = /^\s+at (?:.*\((\S+:\d+:\d+)\)|(\S+:\d+:\d+))$/.exec(l)
      const at = frame?.[1] ?? frame?.[2]
      if (at !== undefined && !at.startsWith('node:')) { where = at; break }
    }
  }
  if (where === undefined) return null
  return where.length > MAX_UNEXPECTED_MESSAGE ? `…${where.slice(-MAX_UNEXPECTED_MESSAGE)}` : where
}

/**
 * The stderr text of an unexpected error: `error ERR_UNEXPECTED: <name>
 * [<code>]: <message> at <file:line:column>` on one line of bounded length,
 * then, when `TRUST_ENGINE_DEBUG=1`, its stack and those of its causes. Never the source line Node prints for an
 * uncaught error, which in the bundled `optimize` and `analyze` is the whole
 * minified bundle.
 */
export function unexpectedErrorText (err: unknown, env: NodeJS.ProcessEnv = process.env): string {
  let line: string
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    const message = safeString(err.message)
    line = `${safeString(err.name)}${typeof code === 'string' && !message.startsWith(code) ? ` [${code}]` : ''}: ${message}`
  } else {
    line = safeString(err)
  }
  line = line.replace(/\s+/g, ' ').trim()
  if (line.length > MAX_UNEXPECTED_MESSAGE) line = `${line.slice(0, MAX_UNEXPECTED_MESSAGE)}…`
  const where = err instanceof Error ? whereThrown(err) : null
  if (where !== null) line += ` at ${where}`
  if (env[ENV_DEBUG] !== '1') return `error ${ERR_UNEXPECTED}: ${line} (${ENV_DEBUG}=1 prints its stack)\n`
  const stacks: string[] = []
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const stack = e instanceof Error ? safeString(e.stack ?? e.message) : safeString(e)
    stacks.push(depth === 0 ? stack : `caused by: ${stack}`)
  }
  return `error ${ERR_UNEXPECTED}: ${line}\n${stacks.join('\n')}\n`
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
    process.stderr.write(unexpectedErrorText(err))
    process.exitCode = 2
  }
}

// Not a top-level await: the launcher's bundle of this module is CommonJS (bin/bundle-cache.js), which has none.
// An error thrown outside a command's action (in an event listener, a timer) still ends the process as Node ends it.
if (import.meta.main === true || process.argv[1] === new URL(import.meta.url).pathname) {
  void runCli()
}
