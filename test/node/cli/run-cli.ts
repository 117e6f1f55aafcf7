/** Runs the real `trust-engine` command in a child process, for exit codes and output. */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

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
  return await new Promise((resolve, reject) => {
    execFile(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err !== null && typeof err.code !== 'number') { reject(err); return }
      resolve({ code: err === null ? 0 : err.code as number, stdout, stderr })
    })
  })
}
