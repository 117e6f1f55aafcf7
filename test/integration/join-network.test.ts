/**
 * Joining a running network, as the README's join path does it, with real
 * node processes on 127.0.0.1: a new operator makes a key, the operators add
 * its public key with `network add-validator` and restart their validators
 * with the new file one by one, and the new node starts with the network
 * file, its key, `--announce` and a bootstrap address. It catches up on a job
 * that was open when it arrived and takes part in the next one. An observer
 * (a key outside the validator set) follows verdicts and certificates
 * without voting. Nodes with the wrong role for their key are refused.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeCertificate } from '../../protocol/certificate.ts'
import { verifyCertificate } from '../../protocol/certificate-verify.ts'
import { parseNetwork } from '../../protocol/network.ts'
import { Cluster, type NodeEntry, runCli, waitFor } from '../../sim/cluster.ts'
import { testPng } from '../../sim/images.ts'

/** A free TCP port on 127.0.0.1 (bound to port 0, then released). */
async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('joining a running network', () => {
  let cluster: Cluster
  const first = ['node1', 'node2', 'node3', 'node4']
  let oldNetwork: string

  /** Makes a key for `name`, writes its config (announcing `/dns4/localhost/...`, dialling `bootstrap`) and adds it to the cluster's list. */
  async function newcomer (name: string, bootstrap: string[], extra: Record<string, unknown>): Promise<NodeEntry> {
    const dir = join(cluster.dir, name)
    mkdirSync(dir)
    const key = runCli(['keygen', '--out', join(dir, 'key.json'), '--json'])
    expect(key.code).toBe(0)
    const { publicKey, peerId } = JSON.parse(key.stdout) as { publicKey: string, peerId: string }
    const [p2p, api] = [await freePort(), await freePort()]
    writeFileSync(join(dir, 'config.json'), JSON.stringify({
      name,
      dataDir: '.',
      network: '../network.json',
      key: 'key.json',
      listen: [`/ip4/127.0.0.1/tcp/${p2p}`],
      announce: [`/dns4/localhost/tcp/${p2p}`],
      api: `127.0.0.1:${api}`,
      bootstrap: bootstrap.map((n) => cluster.entry(n).listen),
      ...extra
    }))
    const entry: NodeEntry = { name, peerId, publicKey, config: `${name}/config.json`, listen: `/dns4/localhost/tcp/${p2p}/p2p/${peerId}`, apiUrl: `http://127.0.0.1:${api}` }
    cluster.nodes.push(entry)
    return entry
  }

  beforeAll(async () => {
    cluster = Cluster.init(4)
    oldNetwork = join(cluster.dir, 'network.before.json')
    copyFileSync(cluster.networkFile, oldNetwork)
    await cluster.startAll()
    await cluster.waitConnected()
  })
  afterAll(async () => { await cluster?.cleanup() })

  let certBefore: unknown
  it('the first four validate a job', async () => {
    const jobId = await cluster.submitFrames('node1', [testPng(32, 32)], [testPng(32, 32)])
    for (const n of first) expect((await cluster.waitDecided(n, jobId)).status).toBe('validated')
    certBefore = await cluster.get('node2', `/v1/jobs/${jobId}/certificate`)
  })

  let node5: NodeEntry
  it('add-validator writes the new network file and says what changed', async () => {
    // It bootstraps to every validator it was told of (no peer exchange: the others do not dial it).
    node5 = await newcomer('node5', first, {})
    const r = runCli(['network', 'add-validator', '--network', cluster.networkFile, '--name', 'node5', '--public-key', node5.publicKey, '--json'])
    expect(r.code).toBe(0)
    const change = JSON.parse(r.stdout) as { change: string, before: { validators: number, quorumWeight: number }, after: { validators: number, quorumWeight: number } }
    expect(change).toMatchObject({ change: 'added', before: { validators: 4, quorumWeight: 3 }, after: { validators: 5, quorumWeight: 4 } })
    // A re-run changes nothing.
    const again = runCli(['network', 'add-validator', '--network', cluster.networkFile, '--name', 'node5', '--public-key', node5.publicKey, '--json'])
    expect(JSON.parse(again.stdout)).toMatchObject({ change: 'unchanged' })
    // Certificates name the network digest: the one made before verifies with the old file only.
    const cert = decodeCertificate(new TextEncoder().encode(JSON.stringify(certBefore)))
    expect(verifyCertificate(cert, parseNetwork(readFileSync(oldNetwork))).ok).toBe(true)
    expect(verifyCertificate(cert, parseNetwork(readFileSync(cluster.networkFile))).ok).toBe(false)
  })

  let openJob: string
  it('a job announced while node5 is still away stays open: four of five validators are needed for its seed and its quorum, and two are down', async () => {
    // Rolling restart of the operators' validators with the new file; node4 stays down for now.
    for (const n of first) {
      await cluster.stop(n)
      if (n !== 'node4') await cluster.start(n)
    }
    await cluster.waitConnected(['node1', 'node2', 'node3'])
    openJob = await cluster.submitFrames('node1', [testPng(40, 40)], [testPng(40, 40)], { deadlineMs: 120_000 })
    // Every running validator knows the job; with three of five seed shares (the seed certificate needs more
    // than 2/3 of the weight) the seed cannot be fixed, so nobody measures or votes yet.
    for (const n of ['node2', 'node3']) {
      await waitFor(async () => { try { await cluster.get(n, `/v1/jobs/${openJob}`); return true } catch { return false } }, `${n} knows the job`)
    }
    const view = await cluster.get('node1', `/v1/jobs/${openJob}`) as { status: string, seed: string | null, votes: unknown[] }
    expect(view.status).toBe('pending')
    expect(view.seed).toBeNull()
    expect(view.votes).toEqual([])
  })

  it('the new validator joins by bootstrap, tells the address it was given to announce, catches up on the open job and decides it', async () => {
    const started = await cluster.start('node5')
    expect(started.entry.name).toBe('node5')
    const info = await cluster.get('node5', '/v1/node') as { role: string, listenAddresses: string[] }
    expect(info.role).toBe('validator')
    expect(info.listenAddresses).toEqual([`${node5.listen}`])
    for (const n of ['node1', 'node2', 'node3', 'node5']) {
      const view = await cluster.waitDecided(n, openJob)
      expect(view.status).toBe('validated')
      expect(view.votes.map((v) => v.name).sort()).toEqual(['node1', 'node2', 'node3', 'node5'])
    }
  })

  let observer: NodeEntry
  it('takes part in the next job, which an observer follows to the same verdict and certificate without voting', async () => {
    await cluster.start('node4')
    observer = await newcomer('watcher', ['node1', 'node2'], { observer: true })
    await cluster.start('watcher')
    expect((await cluster.get('watcher', '/v1/node') as { role: string }).role).toBe('observer')
    await cluster.waitConnected(['node1', 'node2', 'node3', 'node4', 'node5'])
    await waitFor(async () => {
      const { peers } = await cluster.get('watcher', '/v1/peers') as { peers: Array<{ connected: boolean }> }
      return peers.filter((p) => p.connected).length >= 1
    }, 'the observer connected')
    // A long deadline: on a loaded machine the seed phase, measurement and vote gossip of six fresh processes can take long.
    const jobId = await cluster.submitFrames('node3', [testPng(36, 36)], [testPng(36, 36)], { deadlineMs: 120_000 })
    const views = []
    const names = ['node1', 'node2', 'node3', 'node4', 'node5', 'watcher']
    for (const n of names) views.push(await cluster.waitDecided(n, jobId))
    expect(Object.fromEntries(views.map((v, i) => [names[i], [v.status, v.reason]]))).toEqual(Object.fromEntries(names.map((n) => [n, ['validated', 'quorum']])))
    for (const v of views) {
      expect(v.status).toBe('validated')
      expect(v.values).toEqual(views[0]!.values)
    }
    // The quorum's votes reach the observer (finality needs four of the five); a fifth may come late or not at all.
    await waitFor(async () => ((await cluster.get('watcher', `/v1/jobs/${jobId}`)) as { votes: unknown[] }).votes.length >= 4, 'the observer saw the quorum\'s four votes')
    const seen = await cluster.get('watcher', `/v1/jobs/${jobId}`) as { votes: Array<{ voter: string }> }
    expect(seen.votes.map((v) => v.voter)).not.toContain(observer.publicKey)
    const cert = decodeCertificate(new TextEncoder().encode(JSON.stringify(await cluster.get('watcher', `/v1/jobs/${jobId}/certificate`))))
    expect(verifyCertificate(cert, parseNetwork(readFileSync(cluster.networkFile)))).toMatchObject({ ok: true, jobId, status: 'validated' })
    // An observer announces no jobs.
    const refused = await cluster.raw('watcher', '/v1/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'frames', reference: [], candidate: [] }) })
    expect(refused.status).toBeGreaterThanOrEqual(400)
  })

  it('refuses a validator key started as an observer, and a key outside the set started as a validator', () => {
    const asObserver = runCli(['node', '--config', join(cluster.dir, 'node2', 'config.json'), '--observer', '--api', 'off', '--listen', '/ip4/127.0.0.1/tcp/0', '--data-dir', join(cluster.dir, 'scratch-a')])
    expect(asObserver.code).toBe(2)
    expect(asObserver.stderr).toContain('ERR_OBSERVER_IS_VALIDATOR')
    const asValidator = runCli(['node', '--config', join(cluster.dir, 'watcher', 'config.json'), '--api', 'off', '--listen', '/ip4/127.0.0.1/tcp/0', '--data-dir', join(cluster.dir, 'scratch-b')], { env: { TRUST_ENGINE_OBSERVER: '0' } })
    expect(asValidator.code).toBe(2)
    expect(asValidator.stderr).toContain('ERR_NOT_VALIDATOR')
  })
})
