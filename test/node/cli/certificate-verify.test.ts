/**
 * `trust-engine certificate verify`: a genuine certificate built with the
 * protocol's functions from real ed25519 keys verifies; tampered copies do
 * not (exit 1 with the verifier's code); unreadable input exits 2.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyCertificateFiles } from '../../../node/cli/commands/certificate.ts'
import { buildCertificate, type Certificate } from '../../../protocol/certificate.ts'
import { MAX_CERTIFICATE_BYTES } from '../../../protocol/constants.ts'
import { tally } from '../../../protocol/consensus/tally.ts'
import { sha256Hex } from '../../../protocol/hash.ts'
import { newJob, signJob } from '../../../protocol/job.ts'
import { GOOD, T0, makeJob, makeNetwork, makeVote, seedCertOf } from '../../protocol/fixtures.ts'
import { runCliProcess } from './run-cli.ts'

let dir: string
let cert: Certificate
let certPath: string
let networkPath: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trust-engine-cert-'))
  const { network, keys } = makeNetwork([1, 1, 1], {}, 'cert-net')
  const job = makeJob(network, keys[0]!)
  const votes = keys.map((k) => makeVote(network, job, k, GOOD))
  const t = tally({ network, job, votes, reputations: new Map(), now: T0 + 1000 })
  expect(t.final).toBe(true)
  cert = buildCertificate(network, job, t, votes, seedCertOf(network, job))
  certPath = join(dir, 'cert.json')
  networkPath = join(dir, 'network.json')
  await writeFile(certPath, JSON.stringify(cert))
  await writeFile(networkPath, JSON.stringify(network))
})
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

let n = 0
async function writeCert (value: unknown): Promise<string> {
  const path = join(dir, `tampered-${n++}.json`)
  await writeFile(path, typeof value === 'string' ? value : JSON.stringify(value))
  return path
}

function copy (): any {
  return structuredClone(cert)
}

describe('verifyCertificateFiles', () => {
  it('accepts the genuine certificate', async () => {
    expect(await verifyCertificateFiles(certPath, networkPath)).toEqual({
      valid: true, jobId: cert.jobId, status: 'validated', signedBaseWeight: 3, totalBaseWeight: 3, caveats: [],
      thresholds: { ssimMin: 0.98, psnrMin: 35, ssimLocalMin: 0.9 }, laxerThanNetwork: [], networkMinimum: null
    })
  })

  it('under a network floor: a certificate of a job below it is invalid (ERR_JOB_THRESHOLDS), one at it names the floor', async () => {
    const floor = { ssimMin: 0.98, psnrMin: 35, ssimLocalMin: 0.9 }
    const { network, keys } = makeNetwork([1, 1, 1], { minThresholds: floor }, 'floor-net')
    const floorNetworkPath = join(dir, 'floor-network.json')
    await writeFile(floorNetworkPath, JSON.stringify(network))
    const certOf = async (thresholds: typeof floor): Promise<string> => {
      const job = signJob(newJob(network, {
        kind: 'frames', submitter: keys[0]!.publicKey, createdAt: T0, nonce: '00112233445566778899aabbccddeeff',
        reference: [sha256Hex('ref-0')], candidate: [sha256Hex('cand-0')], thresholds
      }), keys[0]!.privateKey)
      const votes = keys.map((k) => makeVote(network, job, k, GOOD))
      const t = tally({ network, job, votes, reputations: new Map(), now: T0 + 1000 })
      return await writeCert(buildCertificate(network, job, t, votes, seedCertOf(network, job)))
    }
    const lax = await certOf({ ssimMin: -1, psnrMin: 0, ssimLocalMin: -1 })
    expect(await verifyCertificateFiles(lax, floorNetworkPath)).toMatchObject({ valid: false, code: 'ERR_JOB_THRESHOLDS' })
    const laxRun = await runCliProcess(['certificate', 'verify', lax, '--network', floorNetworkPath])
    expect(laxRun.code).toBe(1)
    expect(laxRun.stdout).toContain('invalid ERR_JOB_THRESHOLDS: job thresholds below the network\'s minimum (ssimMin -1 < 0.98, psnrMin 0 < 35, ssimLocalMin -1 < 0.9)')

    const fair = await certOf(floor)
    expect(await verifyCertificateFiles(fair, floorNetworkPath)).toMatchObject({ valid: true, status: 'validated', thresholds: floor, laxerThanNetwork: [], networkMinimum: floor })
    const fairRun = await runCliProcess(['certificate', 'verify', fair, '--network', floorNetworkPath])
    expect(fairRun.code).toBe(0)
    expect(fairRun.stdout).toContain('network minimum: SSIM >= 0.98, PSNR >= 35 dB, local SSIM >= 0.9 (minThresholds; no job below it is valid)')
    expect((await runCliProcess(['certificate', 'verify', certPath, '--network', networkPath])).stdout).toContain('network minimum: none (the network file has no minThresholds)')
  })

  it("prints the job's thresholds and names those the submitter set below the network's defaults", async () => {
    const { network, keys } = makeNetwork([1, 1, 1], {}, 'cert-net')
    const lax = signJob(newJob(network, {
      kind: 'frames', submitter: keys[0]!.publicKey, createdAt: T0, nonce: '00112233445566778899aabbccddeeff',
      reference: [sha256Hex('ref-0')], candidate: [sha256Hex('cand-0')], thresholds: { ssimMin: -1, psnrMin: 0, ssimLocalMin: 0.95 }
    }), keys[0]!.privateKey)
    const awful = { ssim: 0.1, psnr: 5 }
    const votes = keys.map((k) => makeVote(network, lax, k, awful))
    const t = tally({ network, job: lax, votes, reputations: new Map(), now: T0 + 1000 })
    const laxPath = await writeCert(buildCertificate(network, lax, t, votes, seedCertOf(network, lax)))
    expect(await verifyCertificateFiles(laxPath, networkPath)).toMatchObject({
      valid: true,
      status: 'rejected', // local SSIM 0.1 < 0.95
      thresholds: { ssimMin: -1, psnrMin: 0, ssimLocalMin: 0.95 },
      laxerThanNetwork: [{ threshold: 'ssimMin', job: -1, network: 0.98 }, { threshold: 'psnrMin', job: 0, network: 35 }]
    })
    const text = await runCliProcess(['certificate', 'verify', laxPath, '--network', networkPath])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain('thresholds: SSIM >= -1, PSNR >= 0 dB, local SSIM >= 0.95')
    expect(text.stdout).toContain('warning: thresholds laxer than the network\'s defaults (ssimMin -1 < 0.98, psnrMin 0 < 35)')
    const plain = await runCliProcess(['certificate', 'verify', certPath, '--network', networkPath])
    expect(plain.stdout).not.toContain('warning')
  })

  it('finds each kind of tampering and names it', async () => {
    const cases: Array<[string, (c: any) => void]> = [
      ['ERR_CERT_DISAGREES', (c) => { c.values.ssim = 0.5 }],
      ['ERR_CERT_NO_QUORUM', (c) => { c.votes = c.votes.slice(0, 2) }],
      ['ERR_CERT_SIGNATURE', (c) => { c.votes[1].samples += 1 }],
      ['ERR_CERT_SIGNATURE', (c) => { c.job.signature = c.votes[0].signature }],
      ['ERR_CERT_STATUS', (c) => { c.status = 'rejected' }],
      ['ERR_CERT_ORDER', (c) => { c.votes.reverse() }],
      ['ERR_CERT_JOB', (c) => { c.jobId = 'a'.repeat(64) }],
      ['ERR_CERT_NETWORK', (c) => { c.networkDigest = 'b'.repeat(64) }],
      ['ERR_SCHEMA', (c) => { c.extra = true }],
      ['ERR_SCHEMA', (c) => { delete c.votes }]
    ]
    for (const [code, tamper] of cases) {
      const c = copy()
      tamper(c)
      expect([code, await verifyCertificateFiles(await writeCert(c), networkPath)]).toMatchObject([code, { valid: false, code }])
    }
  })

  it('refuses a certificate checked against another network', async () => {
    const other = makeNetwork([1, 1, 1], {}, 'other-net').network
    const otherPath = join(dir, 'other-network.json')
    await writeFile(otherPath, JSON.stringify(other))
    expect(await verifyCertificateFiles(certPath, otherPath)).toMatchObject({ valid: false, code: 'ERR_CERT_NETWORK' })
  })

  it('rejects any single changed character of any signature', async () => {
    const text = JSON.stringify(cert)
    const sigs = [...text.matchAll(/"signature":"([0-9a-f]{128})"/g)].map((m) => m.index! + '"signature":"'.length)
    await fc.assert(fc.asyncProperty(fc.nat({ max: sigs.length - 1 }), fc.nat({ max: 127 }), fc.nat({ max: 14 }), async (s, i, d) => {
      const at = sigs[s]! + i
      const old = parseInt(text[at]!, 16)
      const replacement = ((old + d + 1) % 16).toString(16)
      const tampered = text.slice(0, at) + replacement + text.slice(at + 1)
      const r = await verifyCertificateFiles(await writeCert(tampered), networkPath)
      // The seed certificate's signature is the submitter's over the seed shares: its own code.
      const inSeedCertificate = at > text.indexOf('"seedCertificate"') && at < text.indexOf('"votes"', text.indexOf('"seedCertificate"'))
      expect(r).toMatchObject({ valid: false, code: inSeedCertificate ? 'ERR_CERT_SEED' : 'ERR_CERT_SIGNATURE' })
    }), { numRuns: 40, seed: 20261127 })
  })

  it('throws for unreadable input: missing, oversized or non-JSON certificate, invalid network file', async () => {
    await expect(verifyCertificateFiles(join(dir, 'nope.json'), networkPath)).rejects.toMatchObject({ code: 'ERR_FILE_NOT_FOUND' })
    await expect(verifyCertificateFiles(await writeCert(' '.repeat(MAX_CERTIFICATE_BYTES + 1)), networkPath)).rejects.toMatchObject({ code: 'ERR_FILE_TOO_LARGE' })
    await expect(verifyCertificateFiles(await writeCert('{"type":'), networkPath)).rejects.toMatchObject({ code: 'ERR_MALFORMED' })
    await expect(verifyCertificateFiles(certPath, await writeCert({ networkId: 'x' }))).rejects.toMatchObject({ code: 'ERR_NETWORK_INVALID' })
  })
})

describe('the certificate verify command', () => {
  it('exits 0 for a valid certificate, 1 for a tampered one, 2 for unreadable input', async () => {
    const ok = await runCliProcess(['certificate', 'verify', certPath, '--network', networkPath, '--json'])
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.stdout)).toMatchObject({ valid: true, jobId: cert.jobId })

    const c = copy()
    c.values.psnr = 20
    const bad = await runCliProcess(['certificate', 'verify', await writeCert(c), '--network', networkPath])
    expect(bad.code).toBe(1)
    expect(bad.stdout).toContain('ERR_CERT_DISAGREES')

    const unreadable = await runCliProcess(['certificate', 'verify', join(dir, 'missing.json'), '--network', networkPath])
    expect(unreadable.code).toBe(2)
    expect(unreadable.stderr).toContain('ERR_FILE_NOT_FOUND')
  })
})
