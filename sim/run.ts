/**
 * `npm run sim`: a local Byzantine fault simulation with real node processes.
 *
 *     npm run sim -- --nodes 7 --liars 2 --jobs 4
 *     npm run sim -- --nodes 4 --equivocators 1
 *     npm run sim -- --nodes 4 --liars 2          # beyond 1/3: disputed, never final
 *
 * Starts `--nodes` validators of equal weight on 127.0.0.1 (`network init`),
 * the last ones with `--fault lie|equivocate|silent`, submits `--jobs` frames
 * jobs (alternately an identical and a degraded frame) through node1, waits
 * until every honest node has decided each one, and prints what each honest
 * node decided and how it now rates every validator. It checks the safety
 * property on the way: no two honest nodes finalize different results. Exit
 * code 0 when safety held, 1 when it did not, 2 on usage errors.
 */
import { parseArgs } from 'node:util'
import { Cluster } from './cluster.ts'
import { degradedPng, testPng } from './images.ts'

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '4' },
    liars: { type: 'string', default: '1' },
    equivocators: { type: 'string', default: '0' },
    silent: { type: 'string', default: '0' },
    jobs: { type: 'string', default: '3' },
    'deadline-ms': { type: 'string', default: '15000' },
    json: { type: 'boolean', default: false }
  }
})
const n = Number(args.nodes)
const faults = { lie: Number(args.liars), equivocate: Number(args.equivocators), silent: Number(args.silent) }
const jobs = Number(args.jobs)
const deadlineMs = Number(args['deadline-ms'])
const faulty = faults.lie + faults.equivocate + faults.silent
if (![n, jobs, deadlineMs, faulty].every(Number.isInteger) || n < 1 || n > 16 || faulty > n - 1 || jobs < 1 || jobs > 50) {
  process.stderr.write('usage: npm run sim -- --nodes N (1-16) --liars L --equivocators E --silent S (L+E+S < N) --jobs J (1-50)\n')
  process.exit(2)
}

const cluster = Cluster.init(n)
const roles = new Map<string, string>()
let k = n
for (const [fault, count] of Object.entries(faults)) for (let i = 0; i < count; i++) roles.set(`node${k--}`, fault)
const honest = cluster.nodes.map((x) => x.name).filter((name) => !roles.has(name))
const log = (s: string): void => { if (!args.json) console.log(s) }
let safe = true
const results: unknown[] = []
try {
  log(`network ${n} validators of weight 1; faulty: ${[...roles].map(([name, f]) => `${name}=${f}`).join(', ') || 'none'}`)
  log(`BFT bound: finality needs > 2/3 of the weight, so up to ${Math.floor((n - 1) / 3)} faulty validators are tolerated`)
  await cluster.startAll(Object.fromEntries([...roles].map(([name, f]) => [name, ['--fault', f]])))
  await cluster.waitConnected()
  for (let j = 0; j < jobs; j++) {
    const candidate = j % 2 === 0 ? testPng(48, 48) : degradedPng(48, 48, 40)
    const jobId = await cluster.submitFrames(honest[0]!, [testPng(48, 48)], [candidate], { deadlineMs })
    const views = await Promise.all(honest.map(async (name) => await cluster.waitDecided(name, jobId)))
    const finals = views.filter((v) => v.final).map((v) => JSON.stringify([v.status, v.values]))
    if (new Set(finals).size > 1) safe = false
    results.push({ jobId, decisions: Object.fromEntries(honest.map((name, i) => [name, { status: views[i]!.status, values: views[i]!.values, reason: views[i]!.reason }])) })
    log(`job ${j + 1} ${jobId.slice(0, 12)}: ${honest.map((name, i) => `${name} ${views[i]!.status} (${views[i]!.reason})`).join(', ')}`)
  }
  const { validators } = await cluster.get(honest[0]!, '/v1/reputation') as { validators: Array<{ name: string, reputation: number, trust: number, equivocated: boolean }> }
  log(`reputations seen by ${honest[0]!}:`)
  for (const v of validators) log(`  ${v.name.padEnd(7)} ${(roles.get(v.name) ?? 'honest').padEnd(10)} reputation ${v.reputation.toFixed(2)}  trust ${v.trust.toFixed(2)}${v.equivocated ? '  equivocated' : ''}`)
  log(safe ? 'safety held: no two honest nodes finalized different results' : 'SAFETY VIOLATED: honest nodes finalized different results')
  if (args.json) console.log(JSON.stringify({ nodes: n, faults: Object.fromEntries(roles), safe, results, reputations: validators }, null, 2))
} finally {
  await cluster.cleanup()
}
process.exitCode = safe ? 0 : 1
