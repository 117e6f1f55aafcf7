/**
 * A TCP relay that adds latency and models packet loss, for network tests on
 * machines without `tc netem` (the kernel module `sch_netem` is often
 * absent). It accepts connections on one address and forwards each to a
 * target, holding every chunk of bytes, in both directions, for `delayMs`
 * before passing it on.
 *
 * Loss is modelled as TCP shows it to an application: no byte is dropped
 * (that would corrupt the stream, which TCP never delivers), but a "lost"
 * chunk arrives one retransmission timeout (`rtoMs`) later, and every chunk
 * after it waits behind it (head-of-line blocking), as after a real
 * retransmission. Which chunks are lost comes from a seeded generator, so a
 * run can be repeated.
 *
 * Impairment can be switched at run time: SIGUSR1 turns it on, SIGUSR2 off
 * (bytes then pass at once), so one set of connections can be measured with
 * and without. Run as a process:
 *
 * ```sh
 * node sim/delay-relay.ts --listen 10.0.0.1:7100 --target 10.0.0.1:7000 --delay-ms 50 --loss 0.02 --seed 1 [--on]
 * ```
 *
 * It prints `delay-relay ready {"listen":...}` on stderr once listening.
 */
import { createServer, connect, type Socket } from 'node:net'

/** Options of {@link startDelayRelay}. */
export interface DelayRelayOptions {
  /** Address to accept on. */
  listen: { host: string, port: number }
  /** Address every connection is forwarded to. */
  target: { host: string, port: number }
  /** One-way delay added to every chunk, each direction (ms). */
  delayMs: number
  /** Probability that a chunk is "lost" and arrives `rtoMs` later. */
  loss: number
  /** Extra delay of a lost chunk: Linux's minimum TCP retransmission timeout is 200 ms. */
  rtoMs: number
  /** Seed of the loss pattern. */
  seed: number
  /** Impaired from the start (otherwise only after `setImpaired(true)`). */
  impaired: boolean
}

/** Defaults of {@link DelayRelayOptions} (addresses have none). */
export const DEFAULT_DELAY_RELAY_OPTIONS = {
  delayMs: 50,
  loss: 0,
  // Linux's TCP_RTO_MIN.
  rtoMs: 200,
  seed: 1,
  impaired: false
}

/** A running relay. */
export interface DelayRelay {
  /** Turns delay and loss on or off for every connection. */
  setImpaired: (on: boolean) => void
  /** Chunks passed and chunks "lost" so far. */
  stats: () => { chunks: number, lost: number }
  close: () => Promise<void>
}

/** mulberry32: a small seeded generator, enough to pick lost chunks repeatably. */
function generator (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Starts a relay; resolves once it listens. */
export async function startDelayRelay (options: Pick<DelayRelayOptions, 'listen' | 'target'> & Partial<DelayRelayOptions>): Promise<DelayRelay> {
  const o: DelayRelayOptions = { ...DEFAULT_DELAY_RELAY_OPTIONS, ...options }
  const random = generator(o.seed)
  let impaired = o.impaired
  let chunks = 0
  let lost = 0
  const sockets = new Set<Socket>()

  /** Copies `from` to `to`, each chunk released in order, no earlier than its due time. */
  const pipe = (from: Socket, to: Socket): void => {
    let lastDue = 0
    let queue = Promise.resolve()
    from.on('data', (chunk: Buffer) => {
      chunks++
      let due = Date.now()
      if (impaired) {
        due += o.delayMs
        if (random() < o.loss) {
          lost++
          due += o.rtoMs
        }
      }
      // In order: never before the chunk ahead of it.
      due = Math.max(due, lastDue)
      lastDue = due
      queue = queue.then(async () => {
        const wait = due - Date.now()
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
        if (!to.destroyed) to.write(chunk)
      })
    })
    from.on('end', () => { void queue.then(() => { to.end() }) })
  }

  const server = createServer((client) => {
    const upstream = connect(o.target.port, o.target.host)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.setNoDelay(true)
      s.on('close', () => { sockets.delete(s); client.destroy(); upstream.destroy() })
      s.on('error', () => { client.destroy(); upstream.destroy() })
    }
    pipe(client, upstream)
    pipe(upstream, client)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.listen.port, o.listen.host, () => { resolve() })
  })
  return {
    setImpaired: (on) => { impaired = on },
    stats: () => ({ chunks, lost }),
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => { resolve() }))
    }
  }
}

function hostPort (value: string | undefined, flag: string): { host: string, port: number } {
  const m = /^(.+):(\d{1,5})$/.exec(value ?? '')
  if (m === null) throw new Error(`${flag} HOST:PORT is required`)
  return { host: m[1]!, port: Number(m[2]) }
}

if (import.meta.main === true) {
  const args = process.argv.slice(2)
  const flag = (name: string): string | undefined => { const i = args.indexOf(name); return i < 0 ? undefined : args[i + 1] }
  const relay = await startDelayRelay({
    listen: hostPort(flag('--listen'), '--listen'),
    target: hostPort(flag('--target'), '--target'),
    delayMs: Number(flag('--delay-ms') ?? DEFAULT_DELAY_RELAY_OPTIONS.delayMs),
    loss: Number(flag('--loss') ?? DEFAULT_DELAY_RELAY_OPTIONS.loss),
    rtoMs: Number(flag('--rto-ms') ?? DEFAULT_DELAY_RELAY_OPTIONS.rtoMs),
    seed: Number(flag('--seed') ?? DEFAULT_DELAY_RELAY_OPTIONS.seed),
    impaired: args.includes('--on')
  })
  process.on('SIGUSR1', () => { relay.setImpaired(true) })
  process.on('SIGUSR2', () => { relay.setImpaired(false) })
  const stop = (): void => { void relay.close().then(() => { process.stderr.write(`delay-relay stopped ${JSON.stringify(relay.stats())}\n`); process.exit(0) }) }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  process.stderr.write(`delay-relay ready ${JSON.stringify({ listen: flag('--listen'), target: flag('--target') })}\n`)
}
