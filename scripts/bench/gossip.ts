/**
 * Gossip propagation between separate node processes, beside a raw TCP hop.
 *
 * Figure: the time from the driver asking one of 4 peer processes to publish
 * a vote-sized message (800 bytes) until the driver has heard from all 3
 * others that they received and accepted it (validation included). 50
 * messages, one at a time, publishers in turn, after 5 unmeasured ones.
 *
 * Baseline, same run, same path shape: the driver asks a sender process to
 * write the same bytes on a plain TCP socket (127.0.0.1, no delay) to a
 * receiver process, which reports the line. Both paths include one driver →
 * child and one child → driver pipe hop, so the ratio isolates what libp2p
 * and gossipsub (Noise, Yamux, framing, validation, fan-out to 3) add to one
 * TCP hop.
 */
import { spawnJsonLineChild, type ChildEvent, type JsonLineChild } from './lib/processes.ts'
import { startPeerCluster } from './lib/p2p-cluster.ts'
import { result, type BenchResult, type BenchSuite } from './types.ts'

const MESSAGES = 50
const WARMUP = 5
const PEERS = 4
/** A vote is under 1 KiB (protocol/constants.ts MAX_MESSAGE_BYTES comment). */
const PAD = 'v'.repeat(760)

/** The value at quantile `q` (nearest rank) of a non-empty list. */
function quantile (values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!
}

/** Resolves with the time at which `count` events with this `hex` have arrived from `children`. */
function arrivals (children: JsonLineChild[], hex: string, count: number): Promise<number> {
  return new Promise((resolve) => {
    let seen = 0
    const removers = children.map((c) => c.onEvent((evt: ChildEvent) => {
      if (evt.event !== 'message' || evt.hex !== hex) return
      if (++seen === count) {
        const t = performance.now()
        for (const r of removers) r()
        resolve(t)
      }
    }))
  })
}

async function gossipLatencies (): Promise<number[]> {
  const cluster = await startPeerCluster(PEERS)
  try {
    const out: number[] = []
    for (let i = 0; i < WARMUP + MESSAGES; i++) {
      const publisher = cluster.peers[i % PEERS]!
      const others = cluster.peers.filter((p) => p !== publisher)
      const hex = Buffer.from(JSON.stringify({ kind: 'ok', n: i, pad: PAD })).toString('hex')
      const done = arrivals(others, hex, others.length)
      const t0 = performance.now()
      await publisher.request('publish', { kind: 'votes', hex })
      const t1 = await done
      if (i >= WARMUP) out.push(t1 - t0)
    }
    return out
  } finally {
    await cluster.stop()
  }
}

async function tcpLatencies (): Promise<number[]> {
  const receiver = await spawnJsonLineChild('scripts/bench/lib/tcp-hop.ts', ['receiver'])
  let sender: JsonLineChild | undefined
  try {
    sender = await spawnJsonLineChild('scripts/bench/lib/tcp-hop.ts', ['sender', String(receiver.ready.port)])
    const out: number[] = []
    for (let i = 0; i < WARMUP + MESSAGES; i++) {
      const hex = Buffer.from(JSON.stringify({ kind: 'ok', n: i, pad: PAD })).toString('hex')
      const done = arrivals([receiver], hex, 1)
      const t0 = performance.now()
      await sender.request('send', { hex })
      const t1 = await done
      if (i >= WARMUP) out.push(t1 - t0)
    }
    return out
  } finally {
    await sender?.stop(5000)
    await receiver.stop(5000)
  }
}

/** The gossip suite: propagation p50 and p99 among 4 processes, beside one TCP hop. */
export const gossipSuite: BenchSuite = {
  name: 'gossip',
  run: async (): Promise<BenchResult[]> => {
    const tcp = await tcpLatencies()
    const gossip = await gossipLatencies()
    const baseline = 'TCP hop, 2 processes'
    return [
      result(`gossip to all 3 of ${PEERS} processes, p50`, quantile(gossip, 0.5), 'ms', `${baseline}, p50`, quantile(tcp, 0.5)),
      result(`gossip to all 3 of ${PEERS} processes, p99`, quantile(gossip, 0.99), 'ms', `${baseline}, p99`, quantile(tcp, 0.99))
    ]
  }
}
