/**
 * A stopped node's whole audit trail removed from its LevelDB (every entry
 * and the signed head), its jobs, votes and verdicts left in place. A trail
 * cut anywhere else is caught (test/node/store/audit-tamper.test.ts), but an
 * empty trail with no head read as a new store's: `audit verify` said
 * "intact, 0 entries" and the node started a new chain at seq 0 over the
 * old jobs, so the history was erased without a trace and without a copy.
 * The store's jobs and votes are written only in batches that append audit
 * entries, so they prove the trail existed (docs/store.md, "Verification").
 */
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { Level } from 'level'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AUDIT_HEAD_KEY } from '../../node/store/audit.ts'
import { BUCKETS } from '../../node/store/buckets.ts'
import { Cluster, runCli } from '../../sim/cluster.ts'
import { testPng } from '../../sim/images.ts'

describe('a removed audit trail', () => {
  let cluster: Cluster
  let dataDir = ''

  beforeAll(async () => {
    cluster = Cluster.init(1)
    // The config file's dataDir is relative to the config file's folder.
    const configFile = join(cluster.dir, cluster.entry('node1').config)
    dataDir = resolve(dirname(configFile), (JSON.parse(readFileSync(configFile, 'utf8')) as { dataDir: string }).dataDir)
    await cluster.start('node1')
    const jobId = await cluster.submitFrames('node1', [testPng(32, 32)], [testPng(32, 32)])
    await cluster.waitDecided('node1', jobId)
    expect(await cluster.stop('node1')).toBe(0)
  })
  afterAll(async () => { await cluster?.cleanup() })

  it('does not verify, and the node refuses to start on it', async () => {
    expect(runCli(['audit', 'verify', '--data-dir', dataDir]).code).toBe(0)
    const raw = new Level<Uint8Array, Uint8Array>(join(dataDir, 'db'), { keyEncoding: 'view', valueEncoding: 'view' })
    await raw.open()
    try {
      await raw.clear({ gte: Uint8Array.of(BUCKETS.audit), lt: Uint8Array.of(BUCKETS.audit + 1) })
      await raw.del(AUDIT_HEAD_KEY)
    } finally {
      await raw.close()
    }
    const verify = runCli(['audit', 'verify', '--data-dir', dataDir, '--json'])
    expect(verify.code, verify.stdout + verify.stderr).toBe(1)
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: false, code: 'ERR_AUDIT_HEAD', seq: 0 })
    await expect(cluster.start('node1')).rejects.toThrow(/ERR_STORE_AUDIT_BROKEN/)
  })
})
