/**
 * `trust-engine submit` and `status` against a real node's API: uploads of
 * real PNG frames, a job that becomes final, the timeout exit code, and the
 * API's error codes passed through.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { submitJob, submitOptionsFromFlags, type SubmitOptions } from '../../../node/cli/commands/submit.ts'
import { formatCaveats, formatJob } from '../../../node/cli/commands/status.ts'
import { sha256Hex } from '../../../protocol/hash.ts'
import { badCandidatePng, goodCandidatePng, referencePng, startTestNode, type TestNode } from '../api/fixtures.ts'
import { runCliProcess } from './run-cli.ts'

let t: TestNode
let dir: string
const files: Record<string, string> = {}

beforeAll(async () => {
  t = await startTestNode()
  dir = await mkdtemp(join(tmpdir(), 'trust-engine-submit-'))
  const frames: Record<string, Uint8Array> = {
    'a.png': referencePng(0),
    'b.png': referencePng(5),
    'a2.png': goodCandidatePng(0),
    'b2.png': goodCandidatePng(5),
    'bad.png': badCandidatePng(0)
  }
  for (const [name, bytes] of Object.entries(frames)) {
    files[name] = join(dir, name)
    await writeFile(files[name]!, bytes)
  }
})
afterAll(async () => {
  await t.close()
  await rm(dir, { recursive: true, force: true })
})

function options (overrides: Partial<SubmitOptions>): SubmitOptions {
  return { api: t.url, token: undefined, kind: 'frames', reference: [], candidate: [], wait: false, timeoutMs: 120_000, pollMs: 20, ...overrides }
}

describe('submitJob', () => {
  it('uploads the frames, creates the job and waits until it is final', async () => {
    const lines: string[] = []
    const statuses: string[] = []
    const out = await submitJob(options({ reference: [files['a.png']!, files['b.png']!], candidate: [files['a2.png']!, files['b2.png']!], wait: true }), (l) => lines.push(l), (l) => statuses.push(l))
    expect(out.exitCode).toBe(0)
    expect(out.timedOut).toBe(false)
    expect(out.job.status).toBe('validated')
    expect(out.job.reference).toEqual([sha256Hex(referencePng(0)), sha256Hex(referencePng(5))])
    expect(lines.filter((l) => l.startsWith('uploaded'))).toHaveLength(4)
    // The progress line follows the node's event stream up to the final status and the node's vote.
    expect(statuses.at(-1)).toMatch(new RegExp(`^job ${out.job.jobId.slice(0, 12)} validated · 1 vote · \\d+\\.\\d s$`))
    expect(await t.node.hasBlob(sha256Hex(goodCandidatePng(5)))).toBe(true)
  })

  it('carries thresholds to the node: the same good pair is rejected under an impossible PSNR threshold', async () => {
    const out = await submitJob(options({ reference: [files['a.png']!], candidate: [files['a2.png']!], thresholds: { psnrMin: 200 }, wait: true }))
    expect(out.job.thresholds.psnrMin).toBe(200)
    expect(out.job.status).toBe('rejected')
  })

  it('returns at once without --wait', async () => {
    const out = await submitJob(options({ reference: [files['a.png']!], candidate: [files['bad.png']!] }))
    expect(out.exitCode).toBe(0)
    expect(out.job.jobId).toMatch(/^[0-9a-f]{64}$/)
  })

  it('exits 1 when the job does not settle before the timeout', async () => {
    // Two validators, one running: the job waits for a quorum that never comes.
    const two = await startTestNode({ validators: 2 })
    try {
      const out = await submitJob({ ...options({ reference: [files['a.png']!], candidate: [files['a2.png']!], wait: true, timeoutMs: 200, deadlineMs: 3_600_000 }), api: two.url })
      expect(out.exitCode).toBe(1)
      expect(out.timedOut).toBe(true)
      expect(out.job.status).toBe('pending')
    } finally {
      await two.close()
    }
  })

  it('fails with the typed code of a missing file or an unreachable node', async () => {
    await expect(submitJob(options({ reference: [join(dir, 'missing.png')], candidate: [files['a2.png']!] }))).rejects.toMatchObject({ code: 'ERR_FILE_NOT_FOUND' })
    await expect(submitJob(options({ api: 'http://127.0.0.1:1', reference: [files['a.png']!], candidate: [files['a2.png']!] }))).rejects.toMatchObject({ code: 'ERR_API_UNREACHABLE' })
  })

  it("passes the API's error code through (a scene job with an out-of-range deadline)", async () => {
    await expect(submitJob(options({ kind: 'scene', reference: [files['a.png']!], candidate: [], deadlineMs: 10 }))).rejects.toMatchObject({ code: 'ERR_JOB_DEADLINE' })
  })
})

describe('submitOptionsFromFlags', () => {
  const env = {}
  it('builds a frames job from --reference/--candidate and a scene job from a positional scene', () => {
    const frames = submitOptionsFromFlags(undefined, { reference: ['a', 'b'], candidate: ['c', 'd'], thresholds: 'ssim=0.99,psnr=40', deadlineMs: '5000', api: 'http://127.0.0.1:9/' }, env)
    expect(frames).toMatchObject({ kind: 'frames', reference: ['a', 'b'], candidate: ['c', 'd'], thresholds: { ssimMin: 0.99, psnrMin: 40 }, deadlineMs: 5000, api: 'http://127.0.0.1:9', wait: false })
    expect(submitOptionsFromFlags('s.glb', { candidate: ['o.glb'], profile: 'balanced' }, env)).toMatchObject({ kind: 'scene', reference: ['s.glb'], candidate: ['o.glb'], profile: 'balanced' })
    expect(submitOptionsFromFlags('s.glb', {}, env)).toMatchObject({ kind: 'scene', reference: ['s.glb'], candidate: [], api: 'http://127.0.0.1:7700' })
  })

  it('reads the API URL and token from the environment when the flags are absent', () => {
    const o = submitOptionsFromFlags('s.glb', {}, { TRUST_ENGINE_API_URL: 'http://10.0.0.5:7000', TRUST_ENGINE_API_TOKEN: 'tok' })
    expect([o.api, o.token]).toEqual(['http://10.0.0.5:7000', 'tok'])
  })

  it('refuses inconsistent or malformed flags with ERR_BAD_ARGS', () => {
    const bad: Array<[string | undefined, Record<string, unknown>]> = [
      [undefined, {}],
      [undefined, { reference: ['a'], candidate: [] }],
      ['s.glb', { reference: ['a'] }],
      ['s.glb', { candidate: ['x', 'y'] }],
      [undefined, { reference: ['a'], candidate: ['b'], thresholds: 'ssim=high' }],
      [undefined, { reference: ['a'], candidate: ['b'], thresholds: 'ssim=0.9,ssim=0.8' }],
      [undefined, { reference: ['a'], candidate: ['b'], deadlineMs: '1.5' }],
      [undefined, { reference: ['a'], candidate: ['b'], timeoutMs: '0' }],
      [undefined, { reference: ['a'], candidate: ['b'], api: 'ftp://x' }],
      [undefined, { reference: ['a'], candidate: ['b'], api: 'not a url' }],
      // A profile chooses how a scene is optimized: frames jobs have none.
      [undefined, { reference: ['a'], candidate: ['b'], profile: 'balanced' }]
    ]
    for (const [scene, flags] of bad) {
      expect(() => submitOptionsFromFlags(scene, flags, env)).toThrow(expect.objectContaining({ code: 'ERR_BAD_ARGS' }))
    }
  })
})

describe('the submit and status commands', () => {
  it('submit --wait --json prints the final job view and exits 0; status prints it again', async () => {
    const run = await runCliProcess(['submit', '--api', t.url, '--reference', files['b.png']!, '--candidate', files['b2.png']!, '--wait', '--json'])
    expect(run.code).toBe(0)
    const view = JSON.parse(run.stdout)
    expect(view.status).toBe('validated')
    expect(view.final).toBe(true)

    const status = await runCliProcess(['status', view.jobId, '--api', t.url, '--json'])
    expect(status.code).toBe(0)
    expect(JSON.parse(status.stdout)).toMatchObject({ jobId: view.jobId, status: 'validated' })
    expect(formatJob(view)).toContain('validated (final)')
    // A frames job has no caveats: an empty list in the view, "none" for people.
    expect(view.caveats).toEqual([])
    expect(formatJob(view)).toMatch(/^caveats +none$/m)
  })

  it('shows a scene job\'s caveats by name, and none before there are consensus values', () => {
    expect(formatCaveats(['sheen', 'volume'])).toMatch(/^sheen, volume \(not rendered/)
    expect(formatCaveats(null)).toBe('-')
  })

  it('status exits 2 with the API code for an unknown job', async () => {
    const run = await runCliProcess(['status', 'c'.repeat(64), '--api', t.url])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('ERR_JOB_NOT_FOUND')
  })
})
