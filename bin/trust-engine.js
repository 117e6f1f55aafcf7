#!/usr/bin/env node
// Launcher for the `trust-engine` command. The CLI is TypeScript run by Node's
// built-in type stripping, which needs Node >= 22.18. On an older system Node the
// launcher re-runs itself with the Node 22 binary of the `node` package, which
// is a dependency of this project.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const [major, minor] = process.versions.node.split('.').map(Number)
const main = fileURLToPath(new URL('../node/cli/main.ts', import.meta.url))

if (major > 22 || (major === 22 && minor >= 18)) {
  await import(main)
} else {
  const require = createRequire(import.meta.url)
  const node = require.resolve('node/bin/node')
  const r = spawnSync(node, [main, ...process.argv.slice(2)], { stdio: 'inherit' })
  process.exit(r.status ?? 1)
}
