import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ERR_SCHEMA, ERR_TOO_LARGE } from '../../protocol/decode.ts'
import { ERR_EVIDENCE_INVALID, type Evidence, checkEvidence, decodeEvidence, detectEquivocation } from '../../protocol/evidence.ts'
import { isTrustEngineError } from '../../protocol/errors.ts'
import { MAX_MESSAGE_BYTES } from '../../protocol/constants.ts'
import { codeOf } from './codes.ts'
import { GOOD, keyPair, makeJob, makeNetwork, makeVote, wire } from './fixtures.ts'

const { network, keys } = makeNetwork([1, 1, 1, 1])
const job = makeJob(network, keys[0]!)
const voter = keys[1]!
const BAD_OTHER = { ssim: 0.1, psnr: 5 }

function reasonOf (evidence: Evidence): string | undefined {
  try {
    checkEvidence(evidence, network)
  } catch (err) {
    if (isTrustEngineError(err, ERR_EVIDENCE_INVALID)) return String(err.details?.reason)
    throw err
  }
  return undefined
}

describe('equivocation', () => {
  const a = makeVote(network, job, voter, GOOD)
  const b = makeVote(network, job, voter, { ssim: 0.5, psnr: 20 })

  it('two different signed votes for one job and round are evidence against their voter', () => {
    const ev = detectEquivocation(a, b)!
    expect(ev).not.toBeNull()
    expect(checkEvidence(ev, network)).toBe(voter.publicKey)
    // The same evidence whatever the arrival order, and it survives the wire.
    expect(detectEquivocation(b, a)).toEqual(ev)
    expect(checkEvidence(decodeEvidence(wire(ev)), network)).toBe(voter.publicKey)
  })

  it('identical votes, other rounds, other jobs and other voters are not equivocation', () => {
    expect(detectEquivocation(a, makeVote(network, job, voter, GOOD))).toBeNull()
    expect(detectEquivocation(a, makeVote(network, job, voter, { ssim: 0.5, psnr: 20 }, { round: 1 }))).toBeNull()
    expect(detectEquivocation(a, makeVote(network, makeJob(network, keys[0]!, 'ff'.repeat(16)), voter, { ssim: 0.5, psnr: 20 }))).toBeNull()
    expect(detectEquivocation(a, makeVote(network, job, keys[2]!, { ssim: 0.5, psnr: 20 }))).toBeNull()
  })

  it('refuses evidence that proves nothing, with the failed check as reason', () => {
    const ev = detectEquivocation(a, b)!
    const other = makeNetwork([1], {}, 'othernet')
    expect(reasonOf({ ...ev, networkId: 'othernet' })).toBe('network')
    expect(reasonOf({ ...ev, voteB: makeVote(other.network, job, voter, BAD_OTHER) })).toBe('network')
    expect(reasonOf({ ...ev, voteB: makeVote(network, job, keys[2]!, { ssim: 0.5, psnr: 20 }) })).toBe('voter')
    expect(reasonOf({ ...ev, voteB: makeVote(network, job, voter, { ssim: 0.5, psnr: 20 }, { round: 1 }) })).toBe('job-round')
    expect(reasonOf({ ...ev, voteB: ev.voteA })).toBe('same-vote')
    // Same signed body with another (forged) signature is not a second vote either.
    expect(reasonOf({ ...ev, voteB: { ...ev.voteA, signature: ev.voteB.signature } })).toBe('same-vote')
    // A forged second vote (not signed by the voter) proves nothing.
    expect(reasonOf({ ...ev, voteB: { ...ev.voteB, metrics: { ssim: 0.1, psnr: 1, ssimLocal: 0.1 } } })).toBe('signature')
    const stranger = keyPair('stranger')
    expect(reasonOf({ type: 'evidence', networkId: 'testnet', voteA: makeVote(network, job, stranger, GOOD), voteB: makeVote(network, job, stranger, BAD_OTHER) })).toBe('unknown-voter')
  })

  it('decoding refuses oversized and schema-invalid evidence', () => {
    expect(codeOf(() => decodeEvidence(new Uint8Array(MAX_MESSAGE_BYTES + 1)))).toBe(ERR_TOO_LARGE)
    expect(codeOf(() => decodeEvidence(wire({ type: 'evidence', networkId: 'testnet', voteA: a })))).toBe(ERR_SCHEMA)
  })

  it('any two distinct signed votes by one voter for one job and round yield valid evidence; identical ones do not (property)', () => {
    const fields = fc.record({
      ssim: fc.constantFrom(0.99, 0.995, 1),
      psnr: fc.constantFrom(40, 41, Infinity),
      samples: fc.integer({ min: 1, max: 3 }),
      check: fc.constantFrom(undefined, true, false)
    })
    fc.assert(fc.property(fields, fields, fc.integer({ min: 0, max: 3 }), (x, y, who) => {
      const k = keys[who]!
      const vx = makeVote(network, job, k, { ssim: x.ssim, psnr: x.psnr }, { samples: x.samples, ...(x.check === undefined ? {} : { checks: { candidateHashMatches: x.check } }) })
      const vy = makeVote(network, job, k, { ssim: y.ssim, psnr: y.psnr }, { samples: y.samples, ...(y.check === undefined ? {} : { checks: { candidateHashMatches: y.check } }) })
      const same = x.ssim === y.ssim && x.psnr === y.psnr && x.samples === y.samples && x.check === y.check
      const ev = detectEquivocation(vx, vy)
      if (same) {
        expect(ev).toBeNull()
      } else {
        expect(ev).not.toBeNull()
        expect(checkEvidence(ev!, network)).toBe(k.publicKey)
      }
    }), { numRuns: 150 })
  })
})
