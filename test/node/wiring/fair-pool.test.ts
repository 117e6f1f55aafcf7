/**
 * The work pool is fair per submitter: two long measurements of one
 * validator's jobs hold both workers, and a short job of another validator
 * submitted after them is measured at once (one of the long ones is stopped
 * and started again later), not behind them. Real worker threads, real
 * measurements; the order of completions is asserted, never a duration.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { MeasureWorkerPool } from '../../../node/wiring/measure-worker-pool.ts'
import { sha256Hex } from '../../../protocol/hash.ts'
import { type JobAnnouncement, jobIdOf, newJob, signJob } from '../../../protocol/job.ts'
import { parseNetwork } from '../../../protocol/network.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { degradedPng, testPng } from '../../../sim/images.ts'

const [heavySubmitter, honestSubmitter] = [generateKeyPair(), generateKeyPair()]
const network = parseNetwork({
  networkId: 'fair-pool',
  protocolVersion: 1,
  validators: [heavySubmitter, honestSubmitter].map((k, i) => ({ name: `node${i + 1}`, publicKey: k.publicKey, weight: 1 }))
})
const SEED = sha256Hex('seed')

function frames (key: { publicKey: string, privateKey: string }, reference: Uint8Array, candidate: Uint8Array, nonce: string): JobAnnouncement {
  return signJob(newJob(network, { kind: 'frames', submitter: key.publicKey, createdAt: 1_700_000_000_000, reference: [sha256Hex(reference)], candidate: [sha256Hex(candidate)], nonce }), key.privateKey)
}

describe('a fair work pool', () => {
  const pool = new MeasureWorkerPool({ workers: 2 })
  afterAll(async () => { await pool.close() })

  it('measures another submitter\'s job while one submitter\'s two long jobs hold both workers, and still finishes both long ones', async () => {
    // 2048 × 2048 pairs: seconds of decoding and SSIM each, whatever the machine's load; the honest 64 × 64 pair takes milliseconds.
    const big = testPng(2048, 2048)
    const bigCandidate = degradedPng(2048, 2048, 12)
    const done: string[] = []
    const measure = async (name: string, job: JobAnnouncement, reference: Uint8Array, candidate: Uint8Array): Promise<number> => {
      const m = await pool.measure(job, jobIdOf(job), { reference: [reference], candidate: [candidate] }, new AbortController().signal, 0, SEED)
      done.push(name)
      return m.samples
    }
    const heavy = [1, 2].map(async (i) => await measure(`heavy${i}`, frames(heavySubmitter, big, bigCandidate, String(i).repeat(32)), big, bigCandidate))
    const small = testPng(64, 64)
    const smallCandidate = degradedPng(64, 64, 12)
    const honest = await measure('honest', frames(honestSubmitter, small, smallCandidate, 'ab'.repeat(16)), small, smallCandidate)
    expect(honest).toBeGreaterThan(0)
    expect(done).toEqual(['honest'])
    // The stopped one ran again from the start: both long jobs are measured.
    expect((await Promise.all(heavy)).every((n) => n > 0)).toBe(true)
    expect(done.slice().sort()).toEqual(['heavy1', 'heavy2', 'honest'])
  }, 300_000)
})
