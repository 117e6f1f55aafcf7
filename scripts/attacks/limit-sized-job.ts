/**
 * How long one job at the network's default limits takes to measure on this
 * machine, against the default vote span: a frames job of one pair of
 * square frames whose pixels together just fit `maxJobPixels` (2^26, two
 * 5792 × 5792 frames), measured once in a worker of the node's work pool, as
 * every validator does. Prints the seconds, the process's peak resident
 * memory and the ratio to `deadlines.voteMs`.
 *
 * Run: `node scripts/attacks/limit-sized-job.ts` (one process, about 2 GiB).
 */
import { readFileSync } from 'node:fs'
import { sha256Hex } from '../../protocol/hash.ts'
import { jobIdOf, newJob, signJob } from '../../protocol/job.ts'
import { parseNetwork } from '../../protocol/network.ts'
import { generateKeyPair } from '../../protocol/signing.ts'
import { MeasureWorkerPool } from '../../node/wiring/measure-worker-pool.ts'
import { checkWorkLimits, estimateWork } from '../../node/wiring/work-estimate.ts'
import { degradedPng, testPng } from '../../sim/images.ts'

const key = generateKeyPair()
const network = parseNetwork({ networkId: 'limit-sized', protocolVersion: 1, validators: [{ name: 'a', publicKey: key.publicKey, weight: 1 }] })
const side = Math.floor(Math.sqrt(network.limits.maxJobPixels / 2))
const reference = testPng(side, side)
const candidate = degradedPng(side, side, 12)
const blobs = { reference: [reference], candidate: [candidate] }
// In limits, as the API and every node check it.
checkWorkLimits(estimateWork('frames', blobs), network)
const job = signJob(newJob(network, { kind: 'frames', submitter: key.publicKey, createdAt: Date.now(), reference: [sha256Hex(reference)], candidate: [sha256Hex(candidate)], nonce: 'ab'.repeat(16) }), key.privateKey)
const pool = new MeasureWorkerPool({ workers: 1 })
let peakRssMiB = 0
const sampler = setInterval(() => {
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024
  peakRssMiB = Math.max(peakRssMiB, rss)
}, 250)
const t0 = performance.now()
await pool.measure(job, jobIdOf(job), blobs, new AbortController().signal, 0, sha256Hex('seed'))
const seconds = (performance.now() - t0) / 1000
clearInterval(sampler)
await pool.close()
console.log(JSON.stringify({ side, pixels: 2 * side * side, seconds: Math.round(seconds * 10) / 10, peakRssMiB: Math.round(peakRssMiB), voteMs: network.deadlines.voteMs, ofVoteSpan: Math.round(seconds * 1000 / network.deadlines.voteMs * 100) / 100 }))
