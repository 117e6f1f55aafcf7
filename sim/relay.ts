/**
 * Network conditions in user space (these machines lack the kernel's netem):
 * one small TCP relay on 127.0.0.1 per ordered pair of nodes. Node A's
 * config lists, for each peer B it bootstraps to, the address of relay A→B,
 * which forwards to B's real port. Each relay holds the bytes of both
 * directions of its connections for the link's delay plus a seeded jitter,
 * in order, and holds them entirely while a partition separates A and B,
 * releasing them when it heals (TCP does not lose bytes; a cut link stalls,
 * as a real partition under TCP does). Loss therefore shows as delay.
 *
 * Limits: a node learns its peers' real addresses through identify, so a
 * connection that is closed and redialled later may bypass the relay; the
 * relays hold connections open through a partition so that this does not
 * happen in the runs here. Each link buffers at most {@link MAX_LINK_BUFFER}
 * bytes, beyond which its connection is cut.
 */
import { type Server, type Socket, createConnection, createServer } from 'node:net'
import type { NodeEntry } from '../node/cli/commands/network-init.ts'
import type { SeededPrng } from '../protocol/sampling/prng.ts'
import { freePorts } from './network-files.ts'
import type { Scenario } from './scenario.ts'
import { rngFor, uniform } from './seed.ts'

/** Most bytes one link holds back (a partition of a few seconds buffers far less). */
export const MAX_LINK_BUFFER = 64 * 1024 * 1024
/** How often held bytes are checked for release, ms. */
const TICK_MS = 5

type Conditions = Scenario['network']

/** The relays of a run. */
export class RelayMesh {
  readonly #conditions: Conditions
  readonly #seed: string
  readonly #ports = new Map<string, number>()
  readonly #servers: Server[] = []
  readonly #sockets = new Set<Socket>()
  readonly #timers: NodeJS.Timeout[] = []
  #t0: number | null = null

  constructor (conditions: Conditions, seed: string) {
    this.#conditions = conditions
    this.#seed = seed
  }

  /** True when the scenario asks for any condition (otherwise nodes dial each other directly). */
  get active (): boolean {
    return this.#conditions.delayMs > 0 || this.#conditions.jitterMs > 0 || this.#conditions.partitions.length > 0
  }

  /** Reserves a port per ordered pair of `names` (before the configs are written). */
  async prepare (names: string[]): Promise<void> {
    if (!this.active) return
    const pairs = names.flatMap((a) => names.filter((b) => b !== a).map((b) => `${a}>${b}`))
    const ports = await freePorts(pairs.length)
    pairs.forEach((p, i) => this.#ports.set(p, ports[i]!))
  }

  /** The address node `from` dials to reach `to`. */
  route (from: string, to: NodeEntry): string {
    const port = this.#ports.get(`${from}>${to.name}`)
    if (port === undefined) return to.listen
    return `/ip4/127.0.0.1/tcp/${port}/p2p/${to.peerId}`
  }

  /** Starts every relay, forwarding to the nodes' real addresses. */
  async start (entries: NodeEntry[]): Promise<void> {
    if (!this.active) return
    const portOf = new Map(entries.map((e) => [e.name, Number(/\/tcp\/(\d+)/.exec(e.listen)![1])]))
    for (const [pair, port] of this.#ports) {
      const [from, to] = pair.split('>') as [string, string]
      const rng = rngFor(this.#seed, 'jitter', from, to)
      const server = createServer((inbound) => { this.#link(inbound, portOf.get(to)!, from, to, rng) })
      await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve()) })
      this.#servers.push(server)
    }
  }

  /** Sets the time partitions are measured from (the first job's submission). */
  schedule (t0: number): void {
    this.#t0 = t0
  }

  /** True while a partition separates `a` and `b`. */
  cut (a: string, b: string, now: number): boolean {
    if (this.#t0 === null) return false
    return this.#conditions.partitions.some((p) => {
      if (now < this.#t0! + p.fromMs || (p.healMs !== undefined && now >= this.#t0! + p.healMs)) return false
      const ga = p.groups.findIndex((g) => g.includes(a))
      const gb = p.groups.findIndex((g) => g.includes(b))
      return ga >= 0 && gb >= 0 && ga !== gb
    })
  }

  #link (inbound: Socket, port: number, from: string, to: string, rng: SeededPrng): void {
    const outbound = createConnection({ host: '127.0.0.1', port })
    for (const s of [inbound, outbound]) {
      this.#sockets.add(s)
      s.on('close', () => this.#sockets.delete(s))
      s.on('error', () => { inbound.destroy(); outbound.destroy() })
    }
    const pipe = (src: Socket, dst: Socket): void => {
      const queue: Array<{ at: number, bytes: Buffer }> = []
      let held = 0
      let last = 0
      src.on('data', (bytes: Buffer) => {
        const jitter = this.#conditions.jitterMs === 0 ? 0 : (uniform(rng) * 2 - 1) * this.#conditions.jitterMs
        // In order: a chunk never overtakes the one before it.
        last = Math.max(last, Date.now() + Math.max(0, this.#conditions.delayMs + jitter))
        queue.push({ at: last, bytes })
        held += bytes.length
        if (held > MAX_LINK_BUFFER) { inbound.destroy(); outbound.destroy() }
      })
      const timer = setInterval(() => {
        const now = Date.now()
        if (this.cut(from, to, now)) return
        while (queue.length > 0 && queue[0]!.at <= now) {
          const { bytes } = queue.shift()!
          held -= bytes.length
          if (!dst.destroyed) dst.write(bytes)
        }
        if (src.destroyed && queue.length === 0) { clearInterval(timer); dst.end() }
      }, TICK_MS)
      timer.unref()
      this.#timers.push(timer)
    }
    pipe(inbound, outbound)
    pipe(outbound, inbound)
  }

  /** Closes every relay and connection. */
  async stop (): Promise<void> {
    for (const t of this.#timers) clearInterval(t)
    for (const s of this.#sockets) s.destroy()
    await Promise.all(this.#servers.map(async (s) => await new Promise((resolve) => s.close(resolve))))
  }
}
