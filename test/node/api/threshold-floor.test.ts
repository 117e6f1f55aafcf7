/**
 * A node whose network file has a floor of job thresholds (`minThresholds`):
 * its API refuses a job below it with 400 `ERR_JOB_THRESHOLDS` before it
 * announces anything, takes one at the floor, and `trust-engine submit`
 * refuses such `--thresholds` before uploading anything.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { submitJob } from '../../../node/cli/commands/submit.ts'
import { sha256Hex } from '../../../protocol/hash.ts'
import { runCliProcess } from '../cli/run-cli.ts'
import { goodCandidatePng, json, referencePng, startTestNode, type TestNode, uploadBlob } from './fixtures.ts'

const FLOOR = { ssimMin: 0.98, psnrMin: 35, ssimLocalMin: 0.9 }

let t: TestNode
let dir: string

beforeAll(async () => {
  t = await startTestNode({ network: { minThresholds: FLOOR } })
  dir = await mkdtemp(join(tmpdir(), 'trust-engine-floor-'))
})
afterAll(async () => {
  await t.close()
  await rm(dir, { recursive: true, force: true })
})

async function call (path: string, init?: RequestInit): Promise<{ status: number, body: any }> {
  const res = await fetch(`${t.url}${path}`, init)
  return { status: res.status, body: JSON.parse(await res.text()) }
}

/** What a refused request must leave unchanged: the job list and the audit head. */
async function storedState (): Promise<unknown> {
  return { jobs: (await t.node.listJobs({ limit: 1000 })).map((j) => j.jobId), head: (await t.node.audit(0, 1)).head }
}

describe('POST /v1/jobs under a network floor', () => {
  it('refuses thresholds below the floor with 400 ERR_JOB_THRESHOLDS and announces nothing', async () => {
    const ref = await uploadBlob(t, referencePng(1))
    const cand = await uploadBlob(t, goodCandidatePng(1))
    const before = await storedState()
    const below = [
      { ssimMin: -1, psnrMin: 0, ssimLocalMin: -1 },
      // Partial thresholds are completed with the network's defaults, then judged.
      { psnrMin: 34.999 },
      { ssimLocalMin: 0.5 },
      { ...FLOOR, ssimMin: 0.979 }
    ]
    for (const thresholds of below) {
      const r = await call('/v1/jobs', json({ kind: 'frames', reference: [ref], candidate: [cand], thresholds }))
      expect([r.status, r.body.error.code]).toEqual([400, 'ERR_JOB_THRESHOLDS'])
      expect(r.body.error.message).toMatch(/below the network's minimum/)
    }
    expect(await storedState()).toEqual(before)
  })

  it('takes thresholds at the floor, stricter ones, and the defaults', async () => {
    const ref = await uploadBlob(t, referencePng(2))
    const cand = await uploadBlob(t, goodCandidatePng(2))
    for (const thresholds of [FLOOR, { ssimMin: 0.99, psnrMin: 40, ssimLocalMin: 0.95 }, undefined]) {
      const r = await call('/v1/jobs', json({ kind: 'frames', reference: [ref], candidate: [cand], ...(thresholds === undefined ? {} : { thresholds }) }))
      expect(r.status).toBe(201)
      expect(r.body.thresholds).toEqual(thresholds ?? FLOOR)
    }
  })
})

describe('trust-engine submit under a network floor', () => {
  it('refuses --thresholds below the floor before uploading anything', async () => {
    const a = join(dir, 'a.png')
    const a2 = join(dir, 'a2.png')
    await writeFile(a, referencePng(3))
    await writeFile(a2, goodCandidatePng(3))
    const lines: string[] = []
    await expect(submitJob({ api: t.url, token: undefined, kind: 'frames', reference: [a], candidate: [a2], thresholds: { ssimMin: 0.5 }, wait: false, timeoutMs: 1000, pollMs: 20 }, (l) => lines.push(l)))
      .rejects.toMatchObject({ code: 'ERR_JOB_THRESHOLDS' })
    expect(lines).toEqual([])
    expect(await t.node.hasBlob(sha256Hex(referencePng(3)))).toBe(false)

    const run = await runCliProcess(['submit', '--api', t.url, '--reference', a, '--candidate', a2, '--thresholds', 'ssim=0.5,psnr=20'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('error ERR_JOB_THRESHOLDS: --thresholds: job thresholds below the network\'s minimum (ssimMin 0.5 < 0.98, psnrMin 20 < 35)')
    expect(run.stderr).toContain('accepts no job below SSIM 0.98, PSNR 35 dB, local SSIM 0.9 (nothing was uploaded)')
    expect(await t.node.hasBlob(sha256Hex(referencePng(3)))).toBe(false)
  })
})
