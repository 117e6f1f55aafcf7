/**
 * The evidence store's bounds and life cycle on real files, with the evidence
 * of a real frames measurement: the oldest job's evidence goes first when a
 * bound would be passed, a later round replaces an earlier one and not the
 * reverse, a restart re-indexes what is on disk and removes crash leftovers.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EvidenceStore } from '../../../node/evidence/evidence-store.ts'
import { DEFAULT_EVIDENCE_OPTIONS } from '../../../node/measure/evidence.ts'
import { encodeEvidence, type EncodedEvidence } from '../../../node/measure/evidence-files.ts'
import { framesEvidence } from '../../../node/measure/frames-evidence.ts'
import { measureFrames } from '../../../node/measure/measure-frames.ts'
import { addNoise, encodePng, scene } from '../measure/fixtures.ts'

const id = (n: number): string => n.toString(16).padStart(64, '0')

let dir: string
let evidence: EncodedEvidence
let jobBytes: number

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trust-engine-evidence-'))
  const seed = 'cd'.repeat(32)
  const ref = [encodePng(scene(64, 48, 0)), encodePng(scene(64, 48, 1))]
  const cand = [encodePng(addNoise(scene(64, 48, 0), 9, 'a')), encodePng(addNoise(scene(64, 48, 1), 9, 'b'))]
  const m = await measureFrames(ref, cand, { seed })
  evidence = encodeEvidence({ input: 'frames', seed, metrics: m.metrics, perSample: m.perSample, evidence: await framesEvidence(ref, cand, m, seed, DEFAULT_EVIDENCE_OPTIONS) })
  const probe = await EvidenceStore.open(join(dir, 'probe'))
  await probe.put(id(1), 0, evidence)
  jobBytes = probe.bytes
})
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

describe('EvidenceStore', () => {
  it('keeps the PNG files and a manifest naming the job and the round', async () => {
    const store = await EvidenceStore.open(join(dir, 'a'))
    expect(await store.put(id(1), 0, evidence)).toBe(true)
    const manifest = await store.manifest(id(1))
    expect(manifest).toMatchObject({ jobId: id(1), round: 0, input: 'frames' })
    expect(manifest!.samples).toHaveLength(6)
    const file = await store.file(id(1), manifest!.samples[0]!.files.difference)
    expect(file!.size).toBeGreaterThan(8)
    file!.stream.destroy()
    expect(await store.file(id(1), '../key.json')).toBeNull()
    expect(await store.file(id(1), 'index.html')).toBeNull()
    expect(await store.manifest('../../x')).toBeNull()
  })

  it('makes readers of a job wait for evidence announced and still being made, and reads it as missing when none comes', async () => {
    const store = await EvidenceStore.open(join(dir, 'coming'))
    let give!: (e: EncodedEvidence | undefined) => void
    const stored = store.putWhenMade(id(1), 0, new Promise((resolve) => { give = resolve }))
    // Asked before the files exist: the answer waits for them instead of saying "none".
    const manifest = store.manifest(id(1))
    const file = store.file(id(1), 'sample-0-difference.png')
    let answered = false
    void manifest.then(() => { answered = true })
    await new Promise((resolve) => setImmediate(resolve))
    expect(answered).toBe(false)
    give(evidence)
    expect(await stored).toBe(true)
    expect(await manifest).toMatchObject({ jobId: id(1), round: 0 })
    const f = await file
    expect(f!.size).toBeGreaterThan(8)
    f!.stream.destroy()
    // Evidence that could not be made: readers are answered, with nothing held.
    const none = store.putWhenMade(id(2), 0, Promise.resolve(undefined))
    expect(await store.manifest(id(2))).toBeNull()
    expect(await none).toBe(false)
    const failed = store.putWhenMade(id(3), 0, Promise.reject(new Error('worker stopped')))
    expect(await store.manifest(id(3))).toBeNull()
    await expect(failed).rejects.toThrow()
  })

  it('evicts the oldest job when the job count or the byte bound would be passed', async () => {
    const byCount = await EvidenceStore.open(join(dir, 'count'), { maxJobs: 2 })
    for (const n of [1, 2, 3]) expect(await byCount.put(id(n), 0, evidence)).toBe(true)
    expect([await byCount.manifest(id(1)), byCount.jobs]).toEqual([null, 2])
    expect((await byCount.manifest(id(3)))?.jobId).toBe(id(3))

    const byBytes = await EvidenceStore.open(join(dir, 'bytes'), { maxBytes: 2 * jobBytes + 1 })
    for (const n of [1, 2, 3]) expect(await byBytes.put(id(n), 0, evidence)).toBe(true)
    expect(byBytes.jobs).toBe(2)
    expect(byBytes.bytes).toBe(2 * jobBytes)
    expect(await byBytes.manifest(id(1))).toBeNull()

    const tooBig = await EvidenceStore.open(join(dir, 'job-bytes'), { maxJobBytes: jobBytes - 1 })
    expect(await tooBig.put(id(1), 0, evidence)).toBe(false)
    expect(tooBig.jobs).toBe(0)
  })

  it('takes a later round over an earlier one, never the reverse', async () => {
    const store = await EvidenceStore.open(join(dir, 'rounds'))
    expect(await store.put(id(1), 1, evidence)).toBe(true)
    expect(await store.put(id(1), 0, evidence)).toBe(false)
    expect((await store.manifest(id(1)))?.round).toBe(1)
    expect(store.bytes).toBe(jobBytes)
  })

  it('re-indexes its folders on open, oldest first, and removes leftovers of a crash', async () => {
    const root = join(dir, 'reopen')
    const first = await EvidenceStore.open(root)
    for (const n of [1, 2, 3]) await first.put(id(n), 0, evidence)
    await mkdir(join(root, 'tmp-0123'))
    await writeFile(join(root, 'tmp-0123', 'sample-0-reference.png'), 'half')
    await mkdir(join(root, id(9)))
    const again = await EvidenceStore.open(root, { maxJobs: 2 })
    expect((await readdir(root)).sort()).toEqual([id(2), id(3)])
    expect([again.jobs, again.bytes]).toEqual([2, 2 * jobBytes])
    await again.delete(id(2))
    expect(await readdir(root)).toEqual([id(3)])
  })
})
