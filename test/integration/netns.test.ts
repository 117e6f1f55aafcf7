/**
 * Five nodes on five "hosts": one Linux network namespace per node, joined
 * by a bridge in a switch namespace, each node with an address of its own on
 * a private test subnet that exists only while the test runs. Nodes are
 * real processes started with `ip netns exec`, so every libp2p connection
 * crosses a veth pair and a bridge as between machines.
 *
 * Every node's libp2p traffic passes through a delay relay in its own
 * namespace (sim/delay-relay.ts; `tc netem` needs the sch_netem module, which
 * build machines lack), announced with `--announce`, so latency and loss can
 * be switched on for every connection at once.
 *
 * Shown: a job validated across the hosts; one node partitioned (its link
 * down) while two jobs finalize, healed, and caught up with the same
 * verdicts; finality with 100 ms of added one-way latency and 5 % loss. A
 * node of another network is refused across hosts. Figures are printed.
 *
 * Needs root and iproute2 (`ip`); skipped with the reason otherwise.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateKeyFile, peerIdOf } from '../../node/keys.ts'
import { PROTOCOL_VERSION } from '../../protocol/constants.ts'
import { CLI, NODE, ROOT, readyLine } from '../../sim/cluster.ts'
import { testPng } from '../../sim/images.ts'

/** Why the test cannot run here, or null. */
function unavailable (): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux'
  if (process.getuid?.() !== 0) return 'network namespaces need root'
  if (spawnSync('sh', ['-c', 'command -v ip']).status !== 0) return 'iproute2 (ip) is not installed'
  const probe = `te-probe-${randomBytes(3).toString('hex')}`
  if (spawnSync('ip', ['netns', 'add', probe]).status !== 0) return 'ip netns add failed (no permission to make namespaces)'
  spawnSync('ip', ['netns', 'del', probe])
  return null
}
const reason = unavailable()

const N = 5
const TOKEN = randomBytes(24).toString('hex')
// Unique per run, so concurrent runs never collide (interface names ≤ 15 characters).
const ID = `te${randomBytes(3).toString('hex')}`
// A /24 in 10.0.0.0/8 chosen per run; it exists only in the namespaces and on one veth the test makes.
const NET = `10.${200 + (randomBytes(1)[0]! % 50)}.${randomBytes(1)[0]!}`
const SWITCH = `${ID}-sw`
const ns = (k: number): string => `${ID}-n${k}`
const addr = (k: number): string => `${NET}.${k}`
const HOST_ADDR = `${NET}.254`
const RELAY_PORT = 7100

function ip (...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] })
}

interface Proc { proc: ChildProcess, exited: Promise<void> }
const procs: Proc[] = []

function start (namespace: string, args: string[]): Proc {
  const proc = spawn('ip', ['netns', 'exec', namespace, NODE, ...args], { cwd: ROOT, env: { ...process.env, TRUST_ENGINE_API_TOKEN: TOKEN }, stdio: ['ignore', 'ignore', 'pipe'] })
  const p = { proc, exited: new Promise<void>((resolve) => proc.on('exit', () => { resolve() })) }
  procs.push(p)
  return p
}

async function until (check: () => Promise<boolean>, what: string, pollMs = 50): Promise<void> {
  // A hang guard (about 3 minutes), not a performance limit.
  for (let i = 0; i < 180_000 / pollMs; i++) {
    try { if (await check()) return } catch {}
    await new Promise((resolve) => setTimeout(resolve, pollMs))
  }
  throw new Error(`gave up waiting for: ${what}`)
}

async function api (k: number, path: string, init?: RequestInit): Promise<{ status: number, body: any }> {
  // Bounded, so a node behind a cut link fails the call (retried by `until`) instead of hanging it.
  const res = await fetch(`http://${addr(k)}:7700${path}`, { ...init, signal: AbortSignal.timeout(15_000), headers: { authorization: `Bearer ${TOKEN}`, ...init?.headers } })
  const text = await res.text()
  return { status: res.status, body: text === '' ? null : JSON.parse(text) }
}

async function submit (k: number, variant: number): Promise<string> {
  const up = async (bytes: Uint8Array): Promise<string> => (await api(k, '/v1/blobs', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes })).body.sha256
  const ref = await up(testPng(48, 48, variant))
  const cand = await up(testPng(48, 48, variant))
  const r = await api(k, '/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'frames', reference: [ref], candidate: [cand], deadlineMs: 300_000 }) })
  if (r.status !== 201) throw new Error(`submit: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body.jobId
}

async function decided (k: number, jobId: string): Promise<{ status: string, values: unknown } | null> {
  const r = await api(k, `/v1/jobs/${jobId}`)
  return r.status === 200 && r.body.status !== 'pending' ? r.body : null
}

/** Submits a job at node 1 and returns ms until every node in `nodes` reports it decided, with the verdicts. */
async function timedJob (variant: number, nodes: number[]): Promise<{ ms: number, jobId: string, views: Array<{ status: string, values: unknown }> }> {
  const jobId = await submit(1, variant)
  const t0 = performance.now()
  const views = []
  for (const k of nodes) {
    await until(async () => (await decided(k, jobId)) !== null, `job decided on node ${k}`, 20)
  }
  const ms = performance.now() - t0
  for (const k of nodes) views.push((await decided(k, jobId))!)
  return { ms, jobId, views }
}

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

/** Deletes every namespace and link of this run (deleting a namespace deletes the veth ends inside it). */
function removeNamespaces (): void {
  for (let k = 1; k <= N + 1; k++) spawnSync('ip', ['netns', 'del', ns(k)])
  spawnSync('ip', ['netns', 'del', SWITCH])
  spawnSync('ip', ['link', 'del', `${ID}ah`])
}
// Also when the runner is stopped early (SIGTERM reaches this worker as an exit).
if (reason === null) process.once('exit', removeNamespaces)

describe.skipIf(reason !== null)(`five nodes in five network namespaces${reason === null ? '' : ` (skipped: ${reason})`}`, () => {
  let dir: string
  const relays: Proc[] = []
  const figures: Record<string, string> = {}

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'te-netns-'))
    // Readable for the processes in the namespaces (same user); not world-writable.
    chmodSync(dir, 0o755)
    ip('netns', 'add', SWITCH)
    ip('-n', SWITCH, 'link', 'add', 'br0', 'type', 'bridge')
    ip('-n', SWITCH, 'link', 'set', 'br0', 'up')
    const attach = (namespace: string | null, k: string, address: string): void => {
      const a = `${ID}a${k}`
      const b = `${ID}b${k}`
      ip('link', 'add', a, 'type', 'veth', 'peer', 'name', b)
      ip('link', 'set', b, 'netns', SWITCH)
      ip('-n', SWITCH, 'link', 'set', b, 'master', 'br0', 'up')
      if (namespace !== null) {
        ip('link', 'set', a, 'netns', namespace)
        ip('-n', namespace, 'addr', 'add', `${address}/24`, 'dev', a)
        ip('-n', namespace, 'link', 'set', a, 'up')
        ip('-n', namespace, 'link', 'set', 'lo', 'up')
      } else {
        ip('addr', 'add', `${address}/24`, 'dev', a)
        ip('link', 'set', a, 'up')
      }
    }
    for (let k = 1; k <= N; k++) {
      ip('netns', 'add', ns(k))
      attach(ns(k), String(k), addr(k))
    }
    // The test's own leg, to reach the nodes' APIs.
    attach(null, 'h', HOST_ADDR)

    // Keys and the network file, as network add-validator would write them.
    const keys = Array.from({ length: N }, (_, i) => generateKeyFile(join(dir, `node${i + 1}`, 'key.json')))
    writeFileSync(join(dir, 'network.json'), JSON.stringify({ networkId: 'netns-test', protocolVersion: PROTOCOL_VERSION, validators: keys.map((key, i) => ({ name: `node${i + 1}`, publicKey: key.publicKey, weight: 1 })) }))
    const peer = (k: number): string => peerIdOf(keys[k - 1]!.publicKey).toString()
    // Relays: each node's libp2p traffic, both directions, through a relay in its own namespace.
    for (let k = 1; k <= N; k++) {
      const r = start(ns(k), [join(ROOT, 'sim/delay-relay.ts'), '--listen', `${addr(k)}:${RELAY_PORT}`, '--target', `${addr(k)}:7000`, '--delay-ms', '100', '--loss', '0.05', '--seed', String(k)])
      relays.push(r)
      await new Promise<void>((resolve, reject) => {
        let err = ''
        r.proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); if (err.includes('delay-relay ready')) resolve() })
        r.proc.on('exit', () => { reject(new Error(`relay ${k} exited: ${err}`)) })
      })
    }
    await Promise.all(Array.from({ length: N }, (_, i) => i + 1).map(async (k) => {
      const p = start(ns(k), [CLI, 'node', '--network', join(dir, 'network.json'), '--key', join(dir, `node${k}`, 'key.json'), '--data-dir', join(dir, `node${k}`),
        '--listen', `/ip4/${addr(k)}/tcp/7000`, '--announce', `/ip4/${addr(k)}/tcp/${RELAY_PORT}`,
        ...Array.from({ length: N }, (_, j) => j + 1).filter((j) => j !== k).flatMap((j) => ['--bootstrap', `/ip4/${addr(j)}/tcp/${RELAY_PORT}/p2p/${peer(j)}`]),
        '--api', `${addr(k)}:7700`, '--log-level', 'warn'])
      await readyLine(p.proc)
    }))
  }, 300_000)

  afterAll(async () => {
    for (const p of procs) if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGTERM')
    // A node stops in about 2 s; whatever is left after 20 s is killed, so the namespaces always go.
    const grace = setTimeout(() => { for (const p of procs) if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL') }, 20_000)
    await Promise.all(procs.map(async (p) => await p.exited))
    clearTimeout(grace)
    removeNamespaces()
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
    process.stdout.write(`\nmulti-host figures (5 namespaces, median of 3 jobs unless noted):\n${Object.entries(figures).map(([k, v]) => `  ${k}: ${v}`).join('\n')}\n`)
  }, 120_000)

  it('connect across the bridge and validate a job on every host alike', async () => {
    for (let k = 1; k <= N; k++) {
      await until(async () => (await api(k, '/v1/peers')).body.peers.filter((p: { connected: boolean }) => p.connected).length === N - 1, `node ${k} connected to ${N - 1} peers`)
    }
    const times = []
    for (let v = 0; v < 3; v++) {
      const { ms, views } = await timedJob(v, [1, 2, 3, 4, 5])
      for (const view of views) {
        expect(view.status).toBe('validated')
        expect(view.values).toEqual(views[0]!.values)
      }
      times.push(ms)
    }
    figures['finality, no added delay or loss'] = `${median(times).toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(', ')})`
  })

  it('a partitioned node catches up after the heal with the same verdicts', async () => {
    // Cut node 5's link at the switch: it keeps running, alone.
    ip('-n', SWITCH, 'link', 'set', `${ID}b5`, 'down')
    const a = await timedJob(10, [1, 2, 3, 4])
    const b = await timedJob(11, [1, 2, 3, 4])
    for (const j of [a, b]) for (const view of j.views) expect(view.status).toBe('validated')
    // (Node 5's API is behind the cut link too: it is asked again only after the heal.)
    const healed = performance.now()
    ip('-n', SWITCH, 'link', 'set', `${ID}b5`, 'up')
    let polls = 0
    for (const j of [a, b]) {
      await until(async () => {
        if (++polls % 250 === 0) {
          // Where node 5 stands, every 5 s while it catches up (for a failing run's log).
          const peers = (await api(5, '/v1/peers')).body.peers.filter((p: { connected: boolean }) => p.connected).length
          const job = await api(5, `/v1/jobs/${j.jobId}`)
          process.stdout.write(`node 5 after ${((performance.now() - healed) / 1000).toFixed(0)} s: ${peers} peers, job ${job.status === 200 ? `${job.body.status as string} with ${(job.body.votes as unknown[]).length} votes` : 'unknown'}\n`)
        }
        return (await decided(5, j.jobId)) !== null
      }, 'node 5 caught up', 20)
      const view = (await decided(5, j.jobId))!
      expect(view.status).toBe(j.views[0]!.status)
      expect(view.values).toEqual(j.views[0]!.values)
    }
    figures['finality of the 2 jobs during the partition (4 of 5 nodes)'] = `${a.ms.toFixed(0)} ms, ${b.ms.toFixed(0)} ms`
    figures['catch-up of node 5 after the heal (both jobs decided alike)'] = `${(performance.now() - healed).toFixed(0)} ms`
  })

  it('finality still comes with 100 ms of added one-way latency and 5 % of chunks lost', async () => {
    for (let k = 1; k <= N; k++) {
      await until(async () => (await api(k, '/v1/peers')).body.peers.filter((p: { connected: boolean }) => p.connected).length === N - 1, `node ${k} connected to ${N - 1} peers again`)
    }
    for (const r of relays) r.proc.kill('SIGUSR1')
    try {
      const times = []
      for (let v = 20; v < 23; v++) {
        const { ms, views } = await timedJob(v, [1, 2, 3, 4, 5])
        for (const view of views) {
          expect(view.status).toBe('validated')
          expect(view.values).toEqual(views[0]!.values)
        }
        times.push(ms)
      }
      figures['finality, +100 ms one-way and 5 % loss on every link'] = `${median(times).toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(', ')})`
    } finally {
      for (const r of relays) r.proc.kill('SIGUSR2')
    }
  })

  it('refuses a node of another network across hosts', async () => {
    const k = N + 1
    ip('netns', 'add', ns(k))
    // Its own leg to the switch.
    const a = `${ID}a${k}`
    const b = `${ID}b${k}`
    ip('link', 'add', a, 'type', 'veth', 'peer', 'name', b)
    ip('link', 'set', b, 'netns', SWITCH)
    ip('-n', SWITCH, 'link', 'set', b, 'master', 'br0', 'up')
    ip('link', 'set', a, 'netns', ns(k))
    ip('-n', ns(k), 'addr', 'add', `${addr(k)}/24`, 'dev', a)
    ip('-n', ns(k), 'link', 'set', a, 'up')
    const key = generateKeyFile(join(dir, 'foreign', 'key.json'))
    writeFileSync(join(dir, 'foreign.json'), JSON.stringify({ networkId: 'other-network', protocolVersion: PROTOCOL_VERSION, validators: [{ name: 'x', publicKey: key.publicKey, weight: 1 }] }))
    const p = start(ns(k), [CLI, 'node', '--network', join(dir, 'foreign.json'), '--key', join(dir, 'foreign', 'key.json'), '--data-dir', join(dir, 'foreign'),
      '--listen', `/ip4/${addr(k)}/tcp/7000`, '--bootstrap', `/ip4/${addr(1)}/tcp/7000`, '--api', `${addr(k)}:7700`, '--log-level', 'warn'])
    await readyLine(p.proc)
    // It dials node 1 for a while (redial backs off); node 1 never admits it.
    const foreignPeer = peerIdOf(key.publicKey).toString()
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000))
      const peers = (await api(1, '/v1/peers')).body.peers as Array<{ peerId: string, connected: boolean }>
      expect(peers.some((x) => x.peerId === foreignPeer && x.connected)).toBe(false)
      expect((await api(k, '/v1/peers')).body.peers.filter((x: { connected: boolean }) => x.connected)).toEqual([])
    }
  })
})
