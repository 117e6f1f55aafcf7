/**
 * Caveats in votes, the consensus rule and certificates (protocol/caveats.ts,
 * docs/protocol.md "Caveats"): votes must agree on them, so a certificate's
 * caveats are what its honest votes measured, whatever a Byzantine minority
 * signs.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  CAVEATS, type Caveat, type Certificate, ERR_BAD_SIGNATURE, ERR_CERT_CAVEATS, ERR_CERT_DISAGREES, ERR_SCHEMA, JobTally, type Vote, buildCertificate, canonicalString,
  caveatsSchema, decodeCertificate, decodeVote, effectiveWeights, jobIdOf, newVote, readVote, signVote, tally, verifyCertificate
} from '../../protocol/index.ts'
import { codeOf } from './codes.ts'
import { GOOD, T0, makeJob, makeNetwork, makeVote, seedCertOf, wire } from './fixtures.ts'

const reputations = new Map()

describe('caveat lists', () => {
  it('the schema takes sorted, distinct names of the vocabulary, at least one, and nothing else', () => {
    expect(caveatsSchema.safeParse(['sheen']).success).toBe(true)
    expect(caveatsSchema.safeParse(['sheen', 'volume']).success).toBe(true)
    expect(caveatsSchema.safeParse([...CAVEATS]).success).toBe(true)
    for (const bad of [[], ['volume', 'sheen'], ['sheen', 'sheen'], ['KHR_materials_sheen'], ['Sheen'], [''], [1], 'sheen', null, [...CAVEATS, 'volume']]) {
      expect([bad, caveatsSchema.safeParse(bad).success]).toEqual([bad, false])
    }
    expect([...CAVEATS]).toEqual([...CAVEATS].sort())
  })

  it('a vote signs its caveats sorted and distinct, and leaves the field out when there are none', () => {
    const { network, keys } = makeNetwork([1, 1, 1, 1], {}, 'cavnet')
    const job = makeJob(network, keys[0]!)
    const fields = { networkId: network.networkId, networkDigest: 'ab'.repeat(32), engine: network.measurement.engine, jobId: jobIdOf(job), seed: 'cd'.repeat(32), round: 0, voter: keys[1]!.publicKey, metrics: GOOD, intervals: { ssim: [0.99, 0.99] as [number, number], psnr: [41, 41] as [number, number], ssimLocal: [0.95, 0.95] as [number, number] }, samples: 3 }
    expect(newVote({ ...fields, caveats: ['volume', 'sheen', 'volume'] }).caveats).toEqual(['sheen', 'volume'])
    expect('caveats' in newVote({ ...fields, caveats: [] })).toBe(false)
    expect('caveats' in newVote(fields)).toBe(false)
    // An unsorted list in a signed vote is refused at decoding.
    const signed = signVote(newVote({ ...fields, caveats: ['sheen', 'volume'] }), keys[1]!.privateKey)
    expect(codeOf(() => decodeVote(wire({ ...signed, caveats: ['volume', 'sheen'] })))).toBe(ERR_SCHEMA)
    expect(codeOf(() => decodeVote(wire({ ...signed, caveats: [] })))).toBe(ERR_SCHEMA)
  })
})

describe('caveats in the consensus rule', () => {
  // Four validators of weight 1: three honest votes are a quorum (3 > 8/3).
  const { network, keys } = makeNetwork([1, 1, 1, 1], {}, 'cavrule')
  const job = makeJob(network, keys[0]!)
  const honest: Caveat[] = ['sheen']

  it('a vote whose caveats a Byzantine signer stripped does not agree with the honest ones', () => {
    const votes = [0, 1, 2].map((i) => makeVote(network, job, keys[i]!, GOOD, { caveats: honest }))
    // The same numbers, signed without the caveat: a claim that the renderer saw everything.
    const stripped = makeVote(network, job, keys[3]!, GOOD)
    expect(stripped.caveats).toBeUndefined()
    const t = tally({ network, job, votes: [stripped, ...votes], reputations, now: T0 + 1 })
    expect(t).toMatchObject({ final: true, status: 'validated', caveats: honest, deviating: [keys[3]!.publicKey] })
    expect(t.agreeing).toEqual(votes.map((v) => v.voter).sort())
    const cert = buildCertificate(network, job, t, [stripped, ...votes], seedCertOf(network, job))
    expect(cert.caveats).toEqual(honest)
    expect(verifyCertificate(decodeCertificate(wire(cert)), network)).toMatchObject({ ok: true, caveats: honest })
  })

  it('two honest votes and two Byzantine ones without the caveat: no quorum either way', () => {
    const votes = [
      ...[0, 1].map((i) => makeVote(network, job, keys[i]!, GOOD, { caveats: honest })),
      ...[2, 3].map((i) => makeVote(network, job, keys[i]!, GOOD))
    ]
    const t = tally({ network, job, votes, reputations, now: T0 + 1 })
    expect(t.final).toBe(false)
    expect(t.status).toBe('disputed')
  })

  it('votes without caveats (frames jobs) make a certificate without the field', () => {
    const votes = [0, 1, 2, 3].map((i) => makeVote(network, job, keys[i]!, GOOD))
    const t = tally({ network, job, votes, reputations, now: T0 + 1 })
    expect(t.caveats).toEqual([])
    const cert = buildCertificate(network, job, t, votes, seedCertOf(network, job))
    expect('caveats' in cert).toBe(false)
    expect(verifyCertificate(cert, network)).toMatchObject({ ok: true, caveats: [] })
  })
})

describe('caveats in certificates', () => {
  const { network, keys } = makeNetwork([1, 2, 3, 4, 5], {}, 'cavcert')
  const job = makeJob(network, keys[0]!)
  const votes = [0, 1, 2, 3, 4].map((i) => makeVote(network, job, keys[i]!, GOOD, { caveats: ['sheen', 'volume'] }))
  const t = tally({ network, job, votes, reputations, now: T0 + 1 })
  const cert = buildCertificate(network, job, t, votes, seedCertOf(network, job))
  const codeFor = (c: unknown): string => {
    const r = verifyCertificate(c as Certificate, network)
    return r.ok ? 'ok' : r.code
  }

  it('carries its votes\' caveats and verifies', () => {
    expect(cert.caveats).toEqual(['sheen', 'volume'])
    expect(codeFor(cert)).toBe('ok')
  })

  it('with its caveats edited (removed, one dropped, one added, replaced) fails with ERR_CERT_CAVEATS', () => {
    const { caveats: _, ...without } = cert
    expect(codeFor(without)).toBe(ERR_CERT_CAVEATS)
    expect(codeFor({ ...cert, caveats: ['volume'] })).toBe(ERR_CERT_CAVEATS)
    expect(codeFor({ ...cert, caveats: ['iridescence', 'sheen', 'volume'] })).toBe(ERR_CERT_CAVEATS)
    expect(codeFor({ ...cert, caveats: ['anisotropy'] })).toBe(ERR_CERT_CAVEATS)
    // Out of order or repeated: not even a certificate.
    expect(codeFor({ ...cert, caveats: ['volume', 'sheen'] })).toBe(ERR_SCHEMA)
  })

  it('whose votes carry different caveats fails with ERR_CERT_DISAGREES, whatever list it names', () => {
    const other = makeVote(network, job, keys[4]!, GOOD)
    const mixed = [...votes.slice(0, 4), other].sort((a, b) => (a.voter < b.voter ? -1 : 1))
    expect(codeFor({ ...cert, votes: mixed })).toBe(ERR_CERT_DISAGREES)
    const { caveats: _, ...without } = cert
    expect(codeFor({ ...without, votes: mixed })).toBe(ERR_CERT_DISAGREES)
  })

  it('a vote whose caveats were edited after signing does not verify', () => {
    const v = votes[2]!
    const edited = { ...v, caveats: ['sheen'] as Caveat[] }
    const bytes = (x: unknown): Uint8Array => new TextEncoder().encode(canonicalString(x))
    expect(readVote(bytes(v), network)).toEqual(v)
    expect(codeOf(() => readVote(bytes(edited), network))).toBe(ERR_BAD_SIGNATURE)
  })
})

// A few networks with uneven weights (each makes its seed certificate once).
const NETS = [[1, 1, 1, 1], [1, 2, 3, 4, 5], [3, 1, 4, 1, 5, 9, 2], [5, 5, 5, 1, 1, 1]].map((weights, i) => {
  const { network, keys } = makeNetwork(weights, {}, `cavprop${i}`)
  const job = makeJob(network, keys[0]!)
  return { network, keys, job, seedCertificate: seedCertOf(network, job) }
})

const caveatList: fc.Arbitrary<Caveat[]> = fc.subarray([...CAVEATS]).map((l) => [...l].sort())

describe('a certificate\'s caveats are the honest ones (property)', () => {
  it('for any Byzantine weight below 1/3 and any caveat lists it signs, every certificate that verifies carries the honest caveats', () => {
    let verified = 0
    const signed = new Map<string, Vote>()
    const voteOf = (net: typeof NETS[number], i: number, caveats: Caveat[], metrics = GOOD): Vote => {
      const id = `${net.network.networkId}/${i}/${caveats.join(',')}/${metrics.ssim}`
      let v = signed.get(id)
      if (v === undefined) { v = makeVote(net.network, net.job, net.keys[i]!, metrics, { caveats }); signed.set(id, v) }
      return v
    }
    fc.assert(fc.property(
      fc.constantFrom(...NETS), fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }), caveatList, fc.array(caveatList, { minLength: 9, maxLength: 9 }),
      fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }), caveatList,
      (net, byzantineMask, honest, lists, offValues, claimed) => {
        const n = net.keys.length
        const total = net.network.validators.reduce((s, v) => s + v.weight, 0)
        const byzantine = new Set<number>()
        let weight = 0
        // Byzantine validators as the mask picks them, while their base weight stays below 1/3.
        for (let i = 0; i < n; i++) {
          const w = net.network.validators[i]!.weight
          if (byzantineMask[i] === true && 3 * (weight + w) < total) { byzantine.add(i); weight += w }
        }
        // Byzantine votes: any caveat list, the honest numbers or slightly different ones (still agreeing on the numbers).
        const votes = [...Array(n).keys()].map((i) => byzantine.has(i)
          ? voteOf(net, i, lists[i]!, offValues[i] === true ? { ...GOOD, ssim: GOOD.ssim + 5e-10 } : GOOD)
          : voteOf(net, i, honest))
        // Every certificate an attacker can assemble: per caveat list among the votes and the claimed one, the votes carrying it,
        // naming that list, the claimed list, or none; and all votes together naming the honest list.
        const lists2 = new Map<string, Caveat[]>()
        for (const l of [honest, claimed, ...votes.map((v) => v.caveats ?? [])]) lists2.set(l.join(','), l)
        const candidates: Certificate[] = []
        const certOf = (chosen: Vote[], caveats: Caveat[]): Certificate => {
          const sorted = [...chosen].sort((a, b) => (a.voter < b.voter ? -1 : 1))
          const c: Certificate = {
            type: 'certificate', networkId: net.network.networkId, networkDigest: net.job.networkDigest, job: net.job, jobId: jobIdOf(net.job), round: 0,
            status: 'validated', values: { ...sorted[0]!.metrics }, seedCertificate: net.seedCertificate, votes: sorted
          }
          if (caveats.length > 0) c.caveats = caveats
          return c
        }
        for (const l of lists2.values()) {
          const carrying = votes.filter((v) => (v.caveats ?? []).join(',') === l.join(','))
          if (carrying.length === 0) continue
          for (const named of [l, claimed, []]) candidates.push(certOf(carrying, named))
        }
        candidates.push(certOf(votes, honest))
        for (const c of candidates) {
          const r = verifyCertificate(decodeCertificate(wire(c)), net.network)
          if (r.ok) {
            verified++
            expect(r.caveats).toEqual(honest)
            expect(c.caveats ?? []).toEqual(honest)
          }
        }
        // And the rule itself: a node's tally of every vote, in any order, finalizes only with the honest caveats.
        const jt = new JobTally({ network: net.network, job: net.job, weights: effectiveWeights(net.network, reputations) })
        for (const v of [...votes].reverse()) jt.add(v)
        const t = jt.result(T0 + 1)
        expect(t.final).toBe(true)
        expect(t.caveats).toEqual(honest)
        const built = buildCertificate(net.network, net.job, t, votes, net.seedCertificate)
        expect(verifyCertificate(built, net.network)).toMatchObject({ ok: true, caveats: honest })
      }), { numRuns: 120 })
    // The honest certificate verifies in every run: the property is not vacuous.
    expect(verified).toBeGreaterThanOrEqual(120)
  })
})
