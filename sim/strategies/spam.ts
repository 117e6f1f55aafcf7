/**
 * `spam`: a validator that floods the votes topic whenever a job is
 * announced: `messages` messages at `rate` per second, in turn malformed
 * bytes, junk as large as the gossip limit allows (the sender's own gossip
 * layer refuses anything larger), a replay of its previous flood message, and
 * well-signed votes for jobs that do not exist. It votes honestly otherwise.
 * Honest nodes must REJECT or IGNORE every one, penalise the sender's gossip
 * score, and keep finalizing. Run by the node host (sim/node-host.ts) over
 * the node's own libp2p host.
 */
import { DEFAULT_MEASUREMENT_ENGINE } from '../../protocol/constants.ts'
import { setTimeout as sleep } from 'node:timers/promises'
import { canonicalEncode } from '../../protocol/canonical.ts'
import { MAX_MESSAGE_BYTES } from '../../protocol/constants.ts'
import { newVote, signVote } from '../../protocol/vote.ts'
import type { TrustEngineNode } from '../../node/node.ts'
import { hexFor } from '../seed.ts'

/** Starts flooding on every job `node` accepts; returns a stop function. Bounded: one flood per job, `messages` each. */
export function startSpam (node: TrustEngineNode, opts: { seed: string, name: string, messages: number, rate: number }): () => void {
  const stop = new AbortController()
  const { gossip, topics } = node.host
  const info = node.info()
  let previous: Uint8Array = new Uint8Array([0])
  let flood = 0
  const one = (i: number, jobTag: string): Uint8Array => {
    switch (i % 4) {
      case 0: return Buffer.from(hexFor(opts.seed, 64, 'spam', opts.name, jobTag, String(i)), 'hex')
      case 1: return new Uint8Array(MAX_MESSAGE_BYTES).fill(0x7b)
      case 2: return previous
      default: {
        const vote = signVote(newVote({
          networkId: info.networkId,
          // Junk votes: what they name besides the network id is never checked before they are refused.
          networkDigest: '00'.repeat(32), engine: DEFAULT_MEASUREMENT_ENGINE, seed: '00'.repeat(32),
          jobId: hexFor(opts.seed, 32, 'spam-job', opts.name, jobTag, String(i)),
          round: 0,
          voter: info.publicKey,
          metrics: { ssim: 1, psnr: Infinity, ssimLocal: 1 },
          intervals: { ssim: [1, 1], psnr: [Infinity, Infinity], ssimLocal: [1, 1] },
          samples: 10
        }), node.keyFile.privateKey)
        return canonicalEncode(vote)
      }
    }
  }
  const off = node.on('job:accepted', () => {
    const tag = String(flood++)
    void (async () => {
      for (let i = 0; i < opts.messages && !stop.signal.aborted; i++) {
        const bytes = one(i, tag)
        await gossip.publish(topics.votes, bytes).catch(() => 0)
        if (i % 4 !== 2) previous = bytes
        await sleep(1000 / opts.rate, undefined, { signal: stop.signal }).catch(() => {})
      }
    })()
  })
  return () => { stop.abort(); off() }
}
