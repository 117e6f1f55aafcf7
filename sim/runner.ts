/**
 * Runs one scenario end to end with real node processes on 127.0.0.1:
 * writes the network (seeded keys, weights), starts the node hosts (with
 * relays in between under network conditions), waits until they are
 * connected, submits the jobs at the scenario's rate through their
 * submitters, carries out crashes, waits until every honest node decided
 * every job (bounded), then until the votes still in flight reached them
 * (bounded; sim/settle.ts), reads each honest node's decisions, reputations and
 * metrics, computes the truth of each job by measuring it as an honest node
 * would, and scores the run (sim/evaluate.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { JobAnnouncement } from '../protocol/job.ts'
import { metricsFromWire } from '../protocol/metrics.ts'
import { ERR_ADDRESS_IN_USE } from '../node/cli/commands/node.ts'
import { measureJob } from '../node/wiring/measure-port.ts'
import type { JobView, ReputationView } from '../node/types.ts'
import { type JobOutcome, type NodeDecision, type RunScore, scoreRun } from './evaluate.ts'
import { jobMaterial } from './jobs.ts'
import { type SimNode, placeNodes, writeNetworkFiles } from './network-files.ts'
import { type HostProcess, killHost, processUsage, startHost, stopHost, unexpectedExit } from './processes.ts'
import { RelayMesh } from './relay.ts'
import { UNAWAITED_KINDS, missingVotes, roundDeadlineOf } from './settle.ts'
import { type Scenario, byzantineShare } from './scenario.ts'
import { rngFor } from './seed.ts'
import { isByzantine } from './strategies/spec.ts'
import { sumMetrics } from './node-metrics.ts'
import { waitUntil } from './wait-until.ts'

/** Options of {@link runScenario}. */
export interface RunOptions {
  /** Called with a one-line progress message. */
  onProgress: (line: string) => void
  /** Keep the network folder (keys, LevelDB) instead of removing it. */
  keep: boolean
  /** Log level of the nodes. */
  logLevel: 'warn' | 'info' | 'error'
  /** Hang guard of the wait for decisions, beyond the last job's deadline, ms (not a performance limit). */
  graceMs: number
}

/** Defaults of {@link RunOptions}. */
export const DEFAULT_RUN_OPTIONS: RunOptions = {
  onProgress: () => {},
  keep: false,
  logLevel: 'warn',
  // Two minutes past the last deadline: a healthy run decides within a second of it; a grey-zone round doubles the span.
  graceMs: 120_000
}

/** A reputation sample: one honest observer's view after job `afterJob` was decided there. */
export interface ReputationSample { afterJob: number, observer: string, reputations: Record<string, number> }

/** Resource use of one node (its process's share when several nodes share a process). */
export interface NodeUsage { node: string, cpuSeconds: number | null, rssBytes: number | null, nodesInProcess: number }

/** Everything one run produced. */
export interface RunResult {
  scenario: string
  seed: string
  nodes: Array<{ name: string, weight: number, strategy: string, publicKey: string }>
  byzantineWeightShare: number
  connectMs: number
  outcomes: JobOutcome[]
  score: RunScore
  reputations: ReputationSample[]
  finalReputations: Record<string, ReputationView[]>
  gossipMessagesPerJob: number | null
  /** Gossip messages the honest nodes rejected during the jobs (spam, sybils, forged votes). */
  gossipRejected: number | null
  /** When the first job was submitted (epoch ms); partitions are timed from here. */
  firstSubmitAt: number
  blobBytesPerJob: number | null
  usage: NodeUsage[]
  startedAt: string
  wallMs: number
}

/** Hang guard of the wait for the votes in flight after the decisions, of the wait for late votes beyond their expected moment, and of the wait for every equivocator to be named (not a performance limit). */
const LATE_VOTES_GRACE_MS = 60_000

/** Pause between the polls of a wait, ms, for networks of ten nodes and more; smaller networks poll more often, {@link POLL_MS_PER_NODE} ms per node. */
const POLL_MS = 250
/** Pause between the polls of a wait per node of the network, ms (a pass reads every node). */
const POLL_MS_PER_NODE = 25

/** Gossipsub's low mark of a topic mesh (its `D_lo`, 4): a heartbeat grafts peers into a mesh with fewer. */
const GOSSIP_MESH_LOW = 4

/** Hang guard of one call to a node's API, ms: a node starting three others' networks beside it on two loaded cores answered a small upload in more than 30 s. */
const API_TIMEOUT_MS = 120_000

interface Live { name: string, apiUrl: string, host: HostProcess }

/** Times a run starts afresh when a node found its port taken. */
const START_ATTEMPTS = 3

/**
 * Runs `s`; throws only when the network cannot start at all. The network
 * file names each node's ports, chosen free when it is written; another
 * process on the machine (another run of a sweep, another test) can take
 * one before the node binds it. The node then refuses to start with
 * `ERR_ADDRESS_IN_USE`, and the run starts again from new ports, the same
 * seed giving the same network.
 */
export async function runScenario (s: Scenario, options: Partial<RunOptions> = {}): Promise<RunResult> {
  const o = { ...DEFAULT_RUN_OPTIONS, ...options }
  for (let attempt = 1; ; attempt++) {
    try {
      return await runOnce(s, o)
    } catch (err) {
      if (attempt >= START_ATTEMPTS || !(err instanceof Error) || !err.message.includes(ERR_ADDRESS_IN_USE)) throw err
      o.onProgress(`a port was taken before its node bound it: starting again (${attempt + 1}/${START_ATTEMPTS})`)
    }
  }
}

async function runOnce (s: Scenario, o: RunOptions): Promise<RunResult> {
  const t0 = Date.now()
  const startedAt = new Date(t0).toISOString()
  const nodes = placeNodes(s)
  const dir = mkdtempSync(join(tmpdir(), 'te-sim-'))
  const relays = new RelayMesh(s.network, s.seed)
  const hosts: HostProcess[] = []
  try {
    await relays.prepare(nodes.map((n) => n.name))
    const net = await writeNetworkFiles(dir, s, nodes, relays.active ? (from, to) => relays.route(from, to) : undefined)
    await relays.start(net.entries)
    const key = new Map(net.entries.map((e) => [e.name, e.publicKey]))
    const honest = nodes.filter((n) => !isByzantine(n.strategy))
    const byzantineKeys = new Set(nodes.filter((n) => isByzantine(n.strategy)).map((n) => key.get(n.name)!))
    // Crash nodes get a process each (SIGKILL takes the whole process); the rest share processes.
    const groups: SimNode[][] = []
    const shared = nodes.filter((n) => n.strategy.kind !== 'crash')
    for (let i = 0; i < shared.length; i += s.nodesPerProcess) groups.push(shared.slice(i, i + s.nodesPerProcess))
    for (const n of nodes.filter((x) => x.strategy.kind === 'crash')) groups.push([n])
    o.onProgress(`starting ${nodes.length} nodes in ${groups.length} processes`)
    const specOf = (g: SimNode[]) => ({ seed: s.seed, logLevel: o.logLevel, nodes: g.map((n) => ({ config: join(dir, n.name, 'config.json'), strategy: n.strategy })) })
    const started = await Promise.all(groups.map(async (g, i) => await startHost(dir, i, specOf(g))))
    hosts.push(...started)
    const live = new Map<string, Live>()
    /** Why a node host died under the run, if one did (a crash node's SIGKILL is the run's own). */
    const down = (): string | null => {
      for (const h of hosts) {
        const e = unexpectedExit(h)
        if (e !== null) return e
      }
      return null
    }
    // Every wait polls the nodes' APIs: a pass over a few nodes costs little, and each poll's pause is added to the run.
    const pollMs = Math.min(POLL_MS, POLL_MS_PER_NODE * nodes.length)
    for (const h of hosts) for (const r of h.ready) live.set(r.name!, { name: r.name!, apiUrl: r.apiUrl!, host: h })
    const api = async <T>(name: string, path: string, init?: RequestInit): Promise<{ status: number, body: T }> => {
      const l = live.get(name)!
      try {
        const res = await fetch(l.apiUrl + path, { ...init, signal: AbortSignal.timeout(API_TIMEOUT_MS) })
        return { status: res.status, body: await res.json() as T }
      } catch (err) {
        // A node that does not answer because its process died: say so, with the process's last words, instead of "fetch failed".
        const exit = unexpectedExit(l.host)
        throw exit === null ? err : new Error(`${name}: ${exit}`, { cause: err })
      }
    }
    // Connected: every node has at least min(n − 1, its bootstrap count or 3) admitted peers subscribed to every
    // topic. Admitted is not enough: a job published before a peer's subscriptions arrived never reaches it by
    // gossip (its announcement is gossiped again for three heartbeats only), which under delay lost whole jobs.
    // And as many of them (up to gossipsub's low mark) in its mesh of every topic: the mesh is filled at the
    // heartbeat after the subscriptions came, and a message a node relays before goes to no one. An equivocator's
    // second vote, sent to some peers only and relayed by them, then never reached the others.
    const want = Math.min(nodes.length - 1, s.bootstrapPeers === 0 ? nodes.length - 1 : Math.max(3, s.bootstrapPeers))
    const wantMesh = Math.min(want, GOSSIP_MESH_LOW)
    const tc = Date.now()
    await waitUntil(async () => {
      const health = await Promise.all(nodes.map(async (n) => (await api<{ gossipPeers: number, meshPeers: number }>(n.name, '/healthz')).body))
      o.onProgress(`connecting: ${health.filter((h) => h.gossipPeers >= want && h.meshPeers >= wantMesh).length}/${nodes.length} nodes have ${want} peers on gossip, ${wantMesh} in their meshes`)
      return health.every((h) => h.gossipPeers >= want && h.meshPeers >= wantMesh)
    }, 240_000, 'nodes connected', true, down, pollMs)
    const connectMs = Date.now() - tc
    const metricsBefore = await sumMetrics(honest.map((n) => live.get(n.name)!.apiUrl), API_TIMEOUT_MS)

    // Jobs: submitted at the scenario's rate; crashes and partitions on their own timers.
    const firstSubmit = Date.now()
    relays.schedule(firstSubmit)
    const submitted: Array<{ index: number, jobId: string, submitter: string, material: Awaited<ReturnType<typeof jobMaterial>> }> = []
    const crashes: Array<Promise<void>> = []
    const honestNames = honest.map((n) => n.name)
    // Random submitters are honest nodes that stay up (a crashing node may be down when its turn comes).
    const submitters = honest.filter((n) => n.strategy.kind !== 'crash').map((n) => n.name)
    for (let j = 0; j < s.jobs.count; j++) {
      const submitter = s.submitter === 'random' ? submitters[rngFor(s.seed, 'submitter', String(j)).nextInt(submitters.length)]! : s.submitter
      const material = await jobMaterial(s, j)
      const upload = async (b: Uint8Array): Promise<string> => (await api<{ sha256: string }>(submitter, '/v1/blobs', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: b })).body.sha256
      const reference = []
      const candidate = []
      for (const b of material.reference) reference.push(await upload(b))
      for (const b of material.candidate) candidate.push(await upload(b))
      const r = await api<{ jobId: string }>(submitter, '/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: material.kind, reference, candidate, deadlineMs: s.jobs.deadlineMs }) })
      if (r.status !== 201) throw new Error(`submit failed on ${submitter}: ${r.status} ${JSON.stringify(r.body)}`)
      submitted.push({ index: j, jobId: r.body.jobId, submitter, material })
      o.onProgress(`job ${j + 1}/${s.jobs.count} submitted by ${submitter}`)
      for (const n of nodes) {
        if (n.strategy.kind === 'crash' && n.strategy.job === j) crashes.push(crashAndRestart(n, n.strategy.afterMs, n.strategy.downMs))
      }
      if (s.jobs.intervalMs > 0 && j < s.jobs.count - 1) await sleep(s.jobs.intervalMs)
    }
    async function crashAndRestart (n: SimNode, afterMs: number, downMs: number): Promise<void> {
      await sleep(afterMs)
      const l = live.get(n.name)!
      o.onProgress(`crash: SIGKILL ${n.name}`)
      await killHost(l.host)
      await sleep(downMs)
      const h = await startHost(dir, hosts.length, l.host.spec)
      hosts.push(h)
      live.set(n.name, { name: n.name, apiUrl: h.ready[0]!.apiUrl!, host: h })
      o.onProgress(`crash: ${n.name} restarted`)
    }
    await Promise.all(crashes)

    // Wait for every honest node's decision on every job (bounded), sampling one observer's reputations as jobs complete.
    const lastDeadline = Date.now() + s.jobs.deadlineMs
    const views = new Map<string, Map<string, JobView>>()
    const reputations: ReputationSample[] = []
    const observer = honestNames[0]!
    let observed = 0
    await waitUntil(async () => {
      let done = 0
      for (const sub of submitted) {
        let m = views.get(sub.jobId)
        if (m === undefined) views.set(sub.jobId, m = new Map())
        for (const name of honestNames) {
          if (m.get(name)?.status !== undefined && m.get(name)!.status !== 'pending') continue
          const r = await api<JobView>(name, `/v1/jobs/${sub.jobId}`).catch(() => null)
          if (r !== null && r.status === 200) m.set(name, r.body)
        }
        if (honestNames.every((n) => (m.get(n)?.status ?? 'pending') !== 'pending')) done++
        while (observed < submitted.length && (views.get(submitted[observed]!.jobId)?.get(observer)?.status ?? 'pending') !== 'pending') {
          const rep = await api<{ validators: ReputationView[] }>(observer, '/v1/reputation')
          reputations.push({ afterJob: observed, observer, reputations: Object.fromEntries(rep.body.validators.map((v) => [v.name, v.reputation])) })
          observed++
        }
      }
      o.onProgress(`deciding: ${done}/${submitted.length} jobs decided on all ${honestNames.length} honest nodes`)
      return done === submitted.length
    }, lastDeadline - Date.now() + o.graceMs, 'decisions', false, down, pollMs)
    // Votes still in flight when the last node decided (a vote that lost the race to the quorum, the vote of a node
    // still measuring; each is judged late): read the views again until every honest node holds, in the round it
    // decided, the vote of every voter that cast one or still can (sim/settle.ts), each voter's own view telling which. A hang guard bounds the wait; evidence of equivocation and the late voters' votes have waits of their own below.
    const awaited = nodes.filter((n) => !UNAWAITED_KINDS.includes(n.strategy.kind))
    let allRead = await waitUntil(async () => {
      let missing = 0
      for (const sub of submitted) {
        const read = new Map<string, JobView | null>()
        for (const n of nodes) {
          const r = await api<JobView>(n.name, `/v1/jobs/${sub.jobId}`).catch(() => null)
          read.set(n.name, r !== null && r.status === 200 ? r.body : null)
        }
        const voters = awaited.map((n) => ({ key: key.get(n.name)!, view: read.get(n.name)! }))
        for (const name of honestNames) {
          const v = read.get(name)!
          if (v === null) return false
          views.get(sub.jobId)!.set(name, v)
          missing += missingVotes(v, voters, Date.now()).length
        }
      }
      if (missing > 0) o.onProgress(`settling: ${missing} votes still on their way to honest nodes`)
      return missing === 0
    }, LATE_VOTES_GRACE_MS, 'votes settled', false, down, pollMs)
    // Late votes (slow, launderer) arrive after the decisions: give them a moment to be judged.
    if (nodes.some((n) => n.strategy.kind === 'slow' || n.strategy.kind === 'launderer')) {
      // Slow votes go out lateMs after each deadline; laundered copies right after each decision (a vote is
      // late once its job is decided), so a run without a slow node does not wait for the deadlines.
      const slow = nodes.filter((n) => n.strategy.kind === 'slow').map((n) => n.strategy.kind === 'slow' ? n.strategy.lateMs : 0)
      // The deadline of each view's deciding round: a grey-zone job's round 1 ends one deadline span later.
      const lastDeadline = Math.max(...[...views.values()].flatMap((m) => [...m.values()].map(roundDeadlineOf)))
      const until = (slow.length === 0 ? Date.now() : Math.max(Date.now(), lastDeadline + Math.max(...slow))) + 2000
      o.onProgress(`waiting ${until - Date.now()} ms for late votes`)
      await sleep(until - Date.now())
      // A late voter measures like any node, so on a loaded machine its vote can leave after the moment
      // above: wait (bounded, a hang guard) until every honest node holds one from each late voter in the
      // round that decided the job (a grey-zone job's round-0 late vote comes long before its round-1 one).
      // Every view read is kept: the last pass of a wait that ended read every view, after every late vote.
      const late = nodes.filter((n) => n.strategy.kind === 'slow' || n.strategy.kind === 'launderer').map((n) => key.get(n.name)!)
      allRead = await waitUntil(async () => {
        for (const sub of submitted) for (const name of honestNames) {
          const r = await api<JobView>(name, `/v1/jobs/${sub.jobId}`).catch(() => null)
          if (r === null || r.status !== 200) return false
          views.get(sub.jobId)!.set(name, r.body)
          if (late.some((k) => !r.body.votes.some((v) => v.voter === k && v.round === r.body.round))) return false
        }
        return true
      }, LATE_VOTES_GRACE_MS, 'late votes', false, down, pollMs)
    }
    // An equivocator's two votes reach each node by different paths, the second (or the evidence of it) relayed
    // by honest peers; on a loaded machine some came after the settling pause, and a node read then named no
    // equivocator. Wait (bounded, a hang guard) until every honest node names each equivocator on every job.
    const equivocating = nodes.filter((n) => n.strategy.kind === 'equivocate').map((n) => key.get(n.name)!)
    if (equivocating.length > 0) {
      allRead = await waitUntil(async () => {
        for (const sub of submitted) for (const name of honestNames) {
          const r = await api<JobView>(name, `/v1/jobs/${sub.jobId}`).catch(() => null)
          if (r === null || r.status !== 200) return false
          views.get(sub.jobId)!.set(name, r.body)
          if (equivocating.some((k) => !r.body.equivocators.includes(k))) return false
        }
        return true
      }, LATE_VOTES_GRACE_MS, 'equivocators named', false, down, pollMs)
    }
    if (!allRead) {
      for (const sub of submitted) for (const name of honestNames) {
        const r = await api<JobView>(name, `/v1/jobs/${sub.jobId}`).catch(() => null)
        if (r !== null && r.status === 200) views.get(sub.jobId)!.set(name, r.body)
      }
    }

    // Truth: measure each job as an honest node does, for every round some honest node decided in.
    const outcomes: JobOutcome[] = []
    for (const sub of submitted) {
      const m = views.get(sub.jobId)!
      const any = [...m.values()][0]
      const rounds = Math.max(0, ...[...m.values()].map((v) => v.round))
      const values = []
      if (any !== undefined && any.seed !== null) {
        const job = { kind: any.kind, reference: any.reference, candidate: any.candidate, thresholds: any.thresholds, ...(any.optimize === null ? {} : { optimize: any.optimize }) } as unknown as JobAnnouncement
        for (let r = 0; r <= rounds; r++) {
          const t = await measureJob(job, sub.jobId, { reference: sub.material.reference, candidate: sub.material.candidate }, r, any.seed)
          values.push(t.metrics)
        }
      }
      const decisions: NodeDecision[] = honestNames.map((name) => {
        const v = m.get(name)
        if (v === undefined) return { node: name, status: 'pending', final: false, values: null, round: 0, latencyMs: null, deadline: 0, finalizedAt: null, flagged: [], equivocators: [], votes: [] }
        const deadline = roundDeadlineOf(v)
        return {
          node: name,
          status: v.status,
          final: v.final,
          values: v.values === null ? null : metricsFromWire(v.values),
          round: v.round,
          latencyMs: v.timings.latencyMs,
          deadline,
          finalizedAt: v.timings.finalizedAt,
          flagged: [...new Set([...v.byzantine, ...v.equivocators])],
          equivocators: v.equivocators,
          votes: v.votes.map((x) => ({ voter: x.voter, round: x.round, metrics: metricsFromWire(x.metrics), late: x.late }))
        }
      })
      if (process.env.SIM_DEBUG !== undefined) process.stderr.write(JSON.stringify([...m.values()].map((v) => [v.status, v.round, v.reason, v.timings])) + '\n')
      outcomes.push({ index: sub.index, jobId: sub.jobId, submitter: sub.submitter, truth: { verdict: sub.material.verdict, values }, decisions })
    }
    const finalReputations: Record<string, ReputationView[]> = {}
    for (const name of honestNames) finalReputations[name] = (await api<{ validators: ReputationView[] }>(name, '/v1/reputation')).body.validators
    const metricsAfter = await sumMetrics(honest.map((n) => live.get(n.name)!.apiUrl), API_TIMEOUT_MS)
    const usage: NodeUsage[] = []
    for (const n of nodes) {
      const h = live.get(n.name)!.host
      const u = h.proc.pid === undefined ? null : processUsage(h.proc.pid)
      const k = h.spec.nodes.length
      usage.push({ node: n.name, cpuSeconds: u === null ? null : u.cpuSeconds / k, rssBytes: u === null ? null : u.rssBytes / k, nodesInProcess: k })
    }
    const jobs = submitted.length
    return {
      scenario: s.name,
      seed: s.seed,
      nodes: nodes.map((n) => ({ name: n.name, weight: n.weight, strategy: n.strategy.kind, publicKey: key.get(n.name)! })),
      byzantineWeightShare: byzantineShare(s).share,
      connectMs,
      outcomes,
      score: scoreRun(outcomes, byzantineKeys),
      reputations,
      finalReputations,
      gossipMessagesPerJob: metricsBefore === null || metricsAfter === null ? null : (metricsAfter.gossip - metricsBefore.gossip) / jobs / honest.length,
      gossipRejected: metricsBefore === null || metricsAfter === null ? null : metricsAfter.rejected - metricsBefore.rejected,
      firstSubmitAt: firstSubmit,
      blobBytesPerJob: metricsBefore === null || metricsAfter === null ? null : (metricsAfter.blobBytes - metricsBefore.blobBytes) / jobs / honest.length,
      usage,
      startedAt,
      wallMs: Date.now() - t0
    }
  } finally {
    await Promise.all(hosts.map(async (h) => await stopHost(h)))
    await relays.stop()
    if (!o.keep) rmSync(dir, { recursive: true, force: true })
  }
}
