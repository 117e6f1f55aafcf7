/**
 * Fetched blob bytes are bounded by the node's blob budget, whatever the
 * number of open jobs: with a budget of one job's blobs, three open jobs
 * whose measurement is held up have one job's blobs read into memory at a
 * time (the others wait for room, holding none), and all three are still
 * measured and decided once the measurement moves. A job that waits for
 * room past its round's deadline stops waiting then and is decided at its
 * deadline like any job without this node's vote. Real engine (real
 * LevelDB, real measurement in this thread), real PNG blobs.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { MeasurePort } from '../../../node/job/ports.ts'
import { measurePort } from '../../../node/wiring/measure-port.ts'
import { addNoise, encodePng, scene } from '../measure/fixtures.ts'
import { EngineHarness, testNetwork, untilFinal } from './engine-harness.ts'

/** Polls of 10 ms before a wait on the engine's state gives up: a hang guard (3 minutes, within the test timeout), not a speed limit. */
const POLLS = 18_000

describe('the blob budget', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it('holds one job\'s blobs at a time when the budget is one job, and every job is still measured', async () => {
    const h = await EngineHarness.create('trust-engine-blob-budget-')
    cleanups.push(async () => { await h.close() })
    const { keys, network } = testNetwork('blob-budget', 1)
    const jobs = await Promise.all([0, 1, 2].map(async (shift) => {
      const refBytes = encodePng(scene(64, 64, shift))
      const candBytes = encodePng(addNoise(scene(64, 64, shift), 1, `c${shift}`))
      return { reference: await h.blobs.put(refBytes), candidate: await h.blobs.put(candBytes), bytes: refBytes.byteLength + candBytes.byteLength }
    }))
    const budget = Math.max(...jobs.map((j) => j.bytes))
    expect(budget).toBeLessThan(2 * Math.min(...jobs.map((j) => j.bytes)))

    const real = measurePort()
    let open = (): void => {}
    const gate = new Promise<void>((resolve) => { open = resolve })
    cleanups.push(async () => { open() })
    let inside = 0
    let mostInside = 0
    const measured: string[] = []
    const measure: MeasurePort = async (job, jobId, blobs, signal, round, seed) => {
      inside++
      mostInside = Math.max(mostInside, inside)
      measured.push(jobId)
      await gate
      inside--
      return await real(job, jobId, blobs, signal, round, seed)
    }
    const { engine } = await h.engine('a', network, keys[0]!, { measure }, { maxBlobBytesInMemory: budget, maxBlobBytesPerSubmitter: budget })
    await h.start(engine)
    const ids: string[] = []
    for (const j of jobs) ids.push((await engine.submit({ kind: 'frames', reference: [j.reference], candidate: [j.candidate], deadlineMs: network.deadlines.maxVoteMs })).jobId)

    // One job's measurement holds its blobs; the two others wait for room (their bytes asked for, none held).
    // Waited for as states: a job waiting, and the holding job's measurement begun (its blobs are held before
    // its measurement is called, so on a loaded machine a job can wait while no measurement has begun yet).
    for (let n = 0; n < POLLS && (engine.blobBytes.waiting === 0 || measured.length === 0); n++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(measured).toHaveLength(1)
    const first = jobs[ids.indexOf(measured[0]!)]!
    expect(engine.blobBytes.held).toBe(first.bytes)
    expect(engine.blobBytes.held).toBeLessThanOrEqual(budget)
    for (let n = 0; n < POLLS && engine.blobBytes.waiting < jobs.reduce((a, j) => a + j.bytes, 0) - first.bytes; n++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(engine.blobBytes.waiting).toBe(jobs.reduce((a, j) => a + j.bytes, 0) - first.bytes)
    expect(inside).toBe(1)

    open()
    for (const id of ids) await untilFinal([engine], id)
    expect(mostInside).toBe(1)
    expect([...measured].sort()).toEqual([...ids].sort())
    for (const id of ids) expect((await engine.view(id))?.status).toBe('validated')
    expect(engine.blobBytes).toEqual({ held: 0, waiting: 0 })
  })

  it('lets a job that waits for room past its round deadline stop waiting then, without this node\'s vote', async () => {
    const h = await EngineHarness.create('trust-engine-blob-budget-deadline-')
    cleanups.push(async () => { await h.close() })
    const { keys, network } = testNetwork('blob-budget-deadline', 1)
    const a = { reference: await h.blobs.put(encodePng(scene(64, 64, 0))), candidate: await h.blobs.put(encodePng(scene(64, 64, 1))) }
    const b = { reference: await h.blobs.put(encodePng(scene(64, 64, 2))), candidate: await h.blobs.put(encodePng(scene(64, 64, 3))) }
    let open = (): void => {}
    const gate = new Promise<void>((resolve) => { open = resolve })
    cleanups.push(async () => { open() })
    const measured: string[] = []
    const real = measurePort()
    const measure: MeasurePort = async (job, jobId, blobs, signal, round, seed) => {
      measured.push(jobId)
      await gate
      return await real(job, jobId, blobs, signal, round, seed)
    }
    // A budget of one byte: a job's blobs are read only while nothing else is held.
    const { engine } = await h.engine('a', network, keys[0]!, { measure }, { maxBlobBytesInMemory: 1, maxBlobBytesPerSubmitter: 1 })
    await h.start(engine)
    const held = await engine.submit({ kind: 'frames', reference: [a.reference], candidate: [a.candidate], deadlineMs: network.deadlines.maxVoteMs })
    for (let n = 0; n < POLLS && measured.length === 0; n++) await new Promise((resolve) => setTimeout(resolve, 10))
    const short = await engine.submit({ kind: 'frames', reference: [b.reference], candidate: [b.candidate], deadlineMs: network.deadlines.minVoteMs })
    for (let n = 0; n < POLLS && engine.blobBytes.waiting === 0; n++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(engine.blobBytes.waiting).toBeGreaterThan(0)

    // Its round ends while it waits: it stops waiting, is decided at its deadline, and was never measured here.
    for (let n = 0; n < POLLS && (await engine.view(short.jobId))?.status === 'pending'; n++) await new Promise((resolve) => setTimeout(resolve, 10))
    const view = (await engine.view(short.jobId))!
    expect([view.status, view.reason]).toEqual(['disputed', 'deadline'])
    for (let n = 0; n < POLLS && engine.blobBytes.waiting > 0; n++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(engine.blobBytes.waiting).toBe(0)
    expect(measured).toEqual([held.jobId])
    open()
    await untilFinal([engine], held.jobId)
    expect((await engine.view(held.jobId))?.final).toBe(true)
  })
})
