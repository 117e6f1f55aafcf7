/**
 * The fault simulation's node host: a process that runs one or more real
 * nodes (real libp2p over TCP, real LevelDB, real measurement), each from its
 * config file and with the fault hooks of its strategy. This is the only
 * place fault hooks are made; `trust-engine node` cannot set them.
 *
 *     node sim/node-host.ts HOST_SPEC.json
 *
 * The spec (validated with zod) lists the nodes: config file, strategy, and
 * the run's seed. For each node started it prints the same ready line as
 * `trust-engine node` on stderr; SIGTERM or SIGINT stops them all in order
 * (forced: work in flight is not waited for) and ends the process.
 */
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { addressInUse, resolveNodeInit } from '../node/cli/commands/node.ts'
import { createNode, type TrustEngineNode } from '../node/node.ts'
import { MeasureWorkerPool } from '../node/wiring/measure-worker-pool.ts'
import { TrustEngineError } from '../protocol/errors.ts'
import { ERR_SCENARIO_INVALID, MAX_SCENARIO_BYTES } from './scenario.ts'
import { ERR_NODE_HOST } from './errors.ts'
import { STRATEGY_SPEC, hooksFor } from './strategies/index.ts'
import { startSpam } from './strategies/spam.ts'
import { startSybils } from './strategies/sybil.ts'

/** Schema of the host spec file the simulation writes for each process. */
export const HOST_SPEC = z.strictObject({
  seed: z.string().regex(/^(?:[0-9a-f]{2}){1,32}$/),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
  nodes: z.array(z.strictObject({ config: z.string().min(1).max(4096), strategy: STRATEGY_SPEC })).min(1).max(200)
})

/** A host spec. */
export type HostSpec = z.input<typeof HOST_SPEC>

async function main (): Promise<void> {
  const path = process.argv[2]
  if (path === undefined) throw new TrustEngineError(ERR_SCENARIO_INVALID, 'usage: node sim/node-host.ts HOST_SPEC.json')
  const text = readFileSync(path, 'utf8')
  if (text.length > MAX_SCENARIO_BYTES) throw new TrustEngineError(ERR_SCENARIO_INVALID, 'host spec too large')
  const spec = HOST_SPEC.parse(JSON.parse(text))
  const nodes: TrustEngineNode[] = []
  const stops: Array<() => void | Promise<void>> = []
  // Many nodes in one process share one pool of worker threads (two, as one node has): a worker per node would hold
  // about 25 MB each and load at once on every job, while the process's nodes measure on the same cores anyway.
  const workers = spec.nodes.length > 1 ? new MeasureWorkerPool() : undefined
  // Many nodes in one process start together and share the process's pino destination; each logs with its name.
  await Promise.all(spec.nodes.map(async (n) => {
    const init = await resolveNodeInit({ config: n.config, logLevel: spec.logLevel })
    const name = init.name ?? 'node'
    const node = await createNode({ ...init, fault: hooksFor(n.strategy, spec.seed, name), ...(workers === undefined ? {} : { workers }) }).catch((err: unknown) => { throw addressInUse(err) ?? err })
    nodes.push(node)
    if (n.strategy.kind === 'spam') stops.push(startSpam(node, { seed: spec.seed, name, messages: n.strategy.messages, rate: n.strategy.rate }))
    if (n.strategy.kind === 'sybil') stops.push(await startSybils(node, { seed: spec.seed, name, identities: n.strategy.identities, bootstrap: init.bootstrap ?? [] }))
    const info = node.info()
    process.stderr.write(`trust-engine node ready ${JSON.stringify({ name: info.name, peerId: info.peerId, networkId: info.networkId, apiUrl: info.apiUrl, listen: info.listenAddresses, dataDir: init.dataDir, pid: process.pid })}\n`)
  }))
  await new Promise<void>((resolve) => {
    const shutdown = (): void => {
      process.off('SIGTERM', shutdown)
      process.off('SIGINT', shutdown)
      // Forced: the simulation stops its nodes once it has read their results, so no work in flight is waited for (a
      // graceful stop would let it run up to the drain bound, 10 s).
      Promise.all(stops.map(async (s) => { await s() })).then(async () => await Promise.all(nodes.map(async (x) => await x.stop({ force: true })))).then(async () => { await workers?.close() }).then(() => resolve(), (err: unknown) => {
        process.stderr.write(`error while stopping: ${String(err)}\n`)
        process.exitCode = 1
        resolve()
      })
    }
    process.on('SIGTERM', shutdown)
    process.on('SIGINT', shutdown)
  })
}

await main().then(() => {
  // Everything the nodes opened is closed; what is left are timers libp2p armed while it stopped (its address
  // manager's one-second debounce), which would keep the process a second longer on every stop.
  process.exit()
}, (err: unknown) => {
  const code = err instanceof TrustEngineError ? err.code : ERR_NODE_HOST
  process.stderr.write(`error ${code}: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(2)
})
