/**
 * Seed shares lost on gossip are recovered: three job engines (each with its
 * own LevelDB store and audit trail, one blob folder, the measurement
 * worker) joined by an in-memory gossip that drops every seed share the two
 * other validators send to the submitter, as a partition does. The
 * submitter, still without a seed, asks its peers for the job's votes
 * stream, which starts with the shares they hold, certifies the seed, and
 * the job becomes final on every engine.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { JobEngine } from '../../../node/job/engine.ts'
import type { EngineTopic } from '../../../node/job/ports.ts'
import { openRepositories } from '../../../node/job/repositories.ts'
import { createNodeMetrics } from '../../../node/metrics.ts'
import { BlobDir } from '../../../node/p2p/blob-dir.ts'
import { AuditLog } from '../../../node/store/audit.ts'
import { openStore } from '../../../node/store/db.ts'
import { MeasureWorkerPool } from '../../../node/wiring/measure-worker-pool.ts'
import { parseNetwork } from '../../../protocol/network.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { encodePng, scene } from '../measure/fixtures.ts'

describe('seed shares lost on gossip', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
  })

  it('the submitter pulls the shares it missed from its peers and the job finalizes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'trust-engine-shares-'))
    cleanups.push(async () => { await rm(dir, { recursive: true, force: true }) })
    const keys = [generateKeyPair(), generateKeyPair(), generateKeyPair()]
    // Three validators of weight 1: the seed certificate needs all three shares.
    const network = parseNetwork({
      networkId: 'shares-test',
      protocolVersion: 1,
      validators: keys.map((k, i) => ({ name: `node${i + 1}`, publicKey: k.publicKey, weight: 1 }))
    })
    const blobs = new BlobDir(dir)
    const measurer = new MeasureWorkerPool()
    cleanups.push(async () => { await measurer.close() })
    const engines: JobEngine[] = []
    let dropped = 0
    /** Delivers a publish to every other engine, except seed shares sent to the submitter (engine 0). */
    const deliver = async (from: number, topic: EngineTopic, data: Uint8Array): Promise<number> => {
      for (const [i, e] of engines.entries()) {
        if (i === from) continue
        if (topic === 'seeds' && i === 0 && new TextDecoder().decode(data).includes('"type":"seed-share"')) { dropped++; continue }
        const handle = topic === 'jobs' ? e.onJobMessage(data) : topic === 'votes' ? e.onVoteMessage(data) : topic === 'seeds' ? e.onSeedMessage(data) : e.onEvidenceMessage(data)
        void handle.catch(() => {})
      }
      return engines.length - 1
    }
    for (const [i, key] of keys.entries()) {
      const store = await openStore(join(dir, `db${i}`), { identity: { publicKey: key.publicKey, networkId: network.networkId } })
      cleanups.push(async () => { await store.close() })
      const audit = await AuditLog.open(store, key.privateKey)
      const engine = new JobEngine({
        network,
        key,
        repos: openRepositories(store, { append: (batch, kind, data, time) => audit.append(batch, kind, data, time) }),
        net: {
          publish: async (topic, data) => await deliver(i, topic, data),
          // The peers' votes streams, as the catch-up protocol serves them.
          catchUp: async (jobId) => (await Promise.all(engines.filter((_, j) => j !== i).map(async (e) => await e.votesFor(jobId)))).flat(),
          openJobs: async () => [],
          certificates: async function * () {},
          catchUpPeers: async () => [],
          penalise: () => {}
        },
        blobs: { get: async (sha) => (await blobs.get(sha))! },
        measure: measurer.measure,
        clock: Date.now,
        logger: pino({ level: 'silent' }),
        metrics: createNodeMetrics(new Registry()),
        fault: null,
        onFinal: () => {},
        onAccepted: () => {},
        onEvidence: () => {}
      }, { seedFetchMs: 50 })
      engines.push(engine)
    }
    for (const e of engines) {
      await e.start()
      cleanups.push(async () => { await e.stop() })
    }
    const png = await blobs.put(encodePng(scene(32, 32)))
    const { jobId } = await engines[0]!.submit({ kind: 'frames', reference: [png], candidate: [png], deadlineMs: network.deadlines.maxVoteMs })

    // Hang guard only (bounded polls), not a time limit on the protocol.
    for (let n = 0; n < 1200 && !(await Promise.all(engines.map(async (e) => (await e.view(jobId))?.final === true))).every(Boolean); n++) {
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(dropped).toBe(2)
    for (const e of engines) {
      const view = (await e.view(jobId))!
      expect(view.seed).not.toBeNull()
      expect(view.status).toBe('validated')
    }
  })
})
