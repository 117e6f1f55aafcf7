/** Runs the real `trust-engine` command in a child process, for exit codes and output. */
import { fileURLToPath } from 'node:url'
import { runProcess } from '../../helpers/run-process.ts'

// the launcher, as the installed command runs (node/cli/main.ts in this process, TypeScript from its cache)
const MAIN = fileURLToPath(new URL('../../../bin/trust-engine.js', import.meta.url))

/** Exit code, stdout and stderr of one run of the CLI. */
export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/** Runs `node bin/trust-engine.js ...args` with the test's Node binary (Node 22). */
export async function runCliProcess (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const r = await runProcess(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env } })
  if (r.status === null) throw new Error(`trust-engine ${args.join(' ')} was ended by ${r.signal ?? 'a signal'}: ${r.stderr}`)
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}
