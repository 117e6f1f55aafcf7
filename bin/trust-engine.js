#!/usr/bin/env node
// Launcher for the `trust-engine` command. The CLI is TypeScript run by Node's
// built-in type stripping, which needs Node >= 22.18. On such a Node the CLI
// runs in this process. On an older system Node the launcher runs the CLI in a
// child process on the Node 22 binary of the `node` package (a devDependency of
// this project, present in a clone after `npm ci`), forwards SIGTERM, SIGINT
// and SIGHUP to it, and exits with the child's exit code, or by the child's
// signal, so that a process manager stopping `trust-engine node` stops the
// real node.
//
// TRUST_ENGINE_NODE=/path/to/node always runs the CLI in a child on that
// binary (to pick a Node explicitly; the tests use it to exercise the child).
// node:child_process is imported only where a child is run: loading it (with net, dgram and stream) costs every
// short command a few milliseconds of its start-up.
import { fileURLToPath } from 'node:url'

const [major, minor] = process.versions.node.split('.').map(Number)
const mainUrl = new URL('../node/cli/main.ts', import.meta.url)
const main = fileURLToPath(mainUrl)
const chosen = process.env.TRUST_ENGINE_NODE

if (chosen === undefined && (major > 22 || (major === 22 && minor >= 18))) {
  // main.ts runs itself only when it is the entry script; here it is imported.
  // Its TypeScript (and that of every module it loads) comes type-stripped from a content-addressed cache.
  const { registerTsCache } = await import('./ts-cache.js')
  registerTsCache()
  // `optimize` and `analyze` run from one bundled module when it can be had (bundle-cache.js).
  let runCli
  if (process.argv.length > 2) {
    const { BUNDLED_COMMANDS, bundledRunCli } = await import('./bundle-cache.js')
    if (BUNDLED_COMMANDS.has(process.argv[2])) runCli = await bundledRunCli()
  }
  // By URL: a path given to import() is read as one, so a '#' or '%' in the installation's folder would break it.
  runCli ??= (await import(mainUrl.href)).runCli
  await runCli()
} else {
  const [{ spawn }, { createRequire }] = await Promise.all([import('node:child_process'), import('node:module')])
  let node = chosen
  if (node === undefined) {
    try {
      node = createRequire(import.meta.url).resolve('node/bin/node')
    } catch {
      process.stderr.write(`trust-engine needs Node.js >= 22.18 (this is ${process.version}); run \`npm ci\` in the clone to get it, or set TRUST_ENGINE_NODE\n`)
      process.exit(1)
    }
  }
  const child = spawn(node, [main, ...process.argv.slice(2)], { stdio: 'inherit' })
  const forwarded = ['SIGTERM', 'SIGINT', 'SIGHUP']
  // Ctrl-C in a terminal reaches both processes (same process group): the
  // child stops itself, and the forwarded copy is a second, harmless SIGINT.
  const forward = (signal) => { if (child.exitCode === null && child.signalCode === null) child.kill(signal) }
  for (const signal of forwarded) process.on(signal, forward)
  child.on('error', (err) => {
    process.stderr.write(`cannot start ${node}: ${err.message}\n`)
    process.exit(1)
  })
  child.on('exit', (code, signal) => {
    for (const s of forwarded) process.off(s, forward)
    if (signal !== null) {
      // Die by the same signal, so our parent sees what happened to the child.
      process.kill(process.pid, signal)
      return
    }
    process.exit(code ?? 1)
  })
}
