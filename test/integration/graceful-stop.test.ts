/**
 * A node's stop under load, with real node processes (node/wiring/graceful-stop.ts).
 * Three validators of weight 1: a job's seed needs all three shares, so
 * while node3 is down every job node1 takes waits in flight (blobs fetched,
 * waiting for its seed) for as long as the test wants, whatever the speed
 * of the machine. On SIGTERM node1 refuses new work (a typed 503) and
 * drains; then:
 * - a second SIGTERM cuts the drain: the jobs are abandoned (no own vote
 *   written), the process exits 0, `node.stopped` says so, the trail verifies;
 * - after a restart, node3 coming up during the drain lets the work finish:
 *   node1 votes, `node.stopped` names the jobs finished, and the jobs become
 *   final on the others;
 * - with a short drain bound the bound cuts the drain by itself, and the
 *   restarted node resumes the abandoned job and decides it.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Cluster, waitFor } from '../../sim/cluster.ts'
import { testPng } from '../../sim/images.ts'
import { listAudit } from '../../node/store/audit.ts'
import { verifyAudit } from '../../node/store/audit-verify.ts'
import { openStore } from '../../node/store/db.ts'

/** The `node.stopped` entry's `drain`. */
interface DrainEntry { end: string, ms: number, finished: number, abandoned: number, finishedJobs: string[], abandonedJobs: string[] }

describe('graceful stop under load', () => {
  let cluster: Cluster | null = null
  afterAll(async () => { await cluster?.cleanup() })

  /** Sets node1's drain bound in its config file. */
  function setDrainMs (c: Cluster, drainMs: number): void {
    const file = join(c.dir, c.entry('node1').config)
    const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
    writeFileSync(file, JSON.stringify({ ...config, shutdown: { drainMs } }))
  }

  /** Sends SIGTERM to node1 and waits until its API refuses a new submission with the typed 503 (the drain has begun). */
  async function startStop (c: Cluster, blob: string): Promise<void> {
    c.running.get('node1')!.proc.kill('SIGTERM')
    await waitFor(async () => {
      const r = await c.raw('node1', '/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'frames', reference: [blob], candidate: [blob] }) })
      if (r.status !== 503) return false
      expect(r.body).toMatchObject({ error: { code: 'ERR_NODE_STOPPING' } })
      return true
    }, 'node1 refuses new jobs while it stops')
    const health = await c.raw('node1', '/healthz')
    expect(health.status).toBe(503)
  }

  /** Waits for node1's exit; returns its code. */
  async function exited (c: Cluster): Promise<number | null> {
    const code = await c.running.get('node1')!.exited
    c.running.delete('node1')
    return code
  }

  /** node1's last `node.stopped` drain, the jobs it voted on, and whether its trail verifies (node1 stopped). */
  async function node1Trail (c: Cluster): Promise<{ drain: DrainEntry, openJobs: string[], ownVotes: string[], ok: boolean }> {
    const store = await openStore(join(c.dir, 'node1', 'db'), { createIfMissing: false })
    try {
      const entries = await listAudit(store, 0, 1000)
      const last = entries.at(-1)!
      expect(last.kind).toBe('node.stopped')
      const data = last.data as { openJobs: string[], drain: DrainEntry }
      const ownVotes = entries.filter((e) => e.kind === 'vote.own').map((e) => (e.data as { jobId: string }).jobId)
      return { drain: data.drain, openJobs: data.openJobs, ownVotes, ok: (await verifyAudit(store)).ok }
    } finally {
      await store.close()
    }
  }

  it('refuses new work, finishes or abandons the work in flight within its bound, records both and resumes', async () => {
    const c = cluster = Cluster.init(3)
    setDrainMs(c, 600_000)
    await c.start('node1')
    await c.start('node2')
    await c.waitConnected(['node1', 'node2'])
    const frame = testPng(48, 48)
    const blob = (await c.client('node1').uploadBlob(frame)).sha256
    const jobs = [
      await c.submitFrames('node1', [frame], [frame], { deadlineMs: 600_000 }),
      await c.submitFrames('node1', [testPng(48, 48, 1)], [testPng(48, 48, 1)], { deadlineMs: 600_000 })
    ]

    // A second signal cuts the drain: both jobs abandoned, nothing written for them, a clean exit.
    await startStop(c, blob)
    c.running.get('node1')!.proc.kill('SIGTERM')
    expect(await exited(c)).toBe(0)
    const forced = await node1Trail(c)
    expect(forced.ok).toBe(true)
    expect(forced.drain).toMatchObject({ end: 'forced', finished: 0, abandoned: 2, finishedJobs: [] })
    expect([...forced.drain.abandonedJobs].sort()).toEqual([...jobs].sort())
    expect([...forced.openJobs].sort()).toEqual([...jobs].sort())
    expect(forced.ownVotes).toEqual([])

    // Restarted, node1 resumes both; stopped again, it drains until node3 comes and the seeds are fixed.
    await c.start('node1')
    await startStop(c, blob)
    await c.start('node3')
    expect(await exited(c)).toBe(0)
    const finished = await node1Trail(c)
    expect(finished.ok).toBe(true)
    expect(finished.drain).toMatchObject({ end: 'finished', finished: 2, abandoned: 0, abandonedJobs: [] })
    expect([...finished.drain.finishedJobs].sort()).toEqual([...jobs].sort())
    expect([...finished.ownVotes].sort()).toEqual([...jobs].sort())
    for (const jobId of jobs) {
      const view = await c.waitDecided('node2', jobId)
      expect(view).toMatchObject({ status: 'validated', final: true })
    }

    // A short bound cuts the drain by itself; the restarted node resumes the abandoned job and decides it.
    expect(await c.stop('node3')).toBe(0)
    setDrainMs(c, 500)
    await c.start('node1')
    await c.waitConnected(['node1', 'node2'])
    const late = await c.submitFrames('node1', [testPng(48, 48, 2)], [testPng(48, 48, 2)], { deadlineMs: 600_000 })
    await startStop(c, blob)
    expect(await exited(c)).toBe(0)
    const cut = await node1Trail(c)
    expect(cut.ok).toBe(true)
    expect(cut.drain).toMatchObject({ end: 'bound', finished: 0, abandoned: 1, abandonedJobs: [late] })
    expect(cut.ownVotes).not.toContain(late)
    await c.start('node3')
    await c.start('node1')
    expect(await c.waitDecided('node1', late)).toMatchObject({ status: 'validated', final: true })
  }, 600_000)
})
