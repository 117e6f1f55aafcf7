/**
 * The job engine's catch-up asks stay inside the quota peers give this
 * node's class, between two real libp2p hosts on 127.0.0.1: a peer refuses
 * and penalises an observer's catch-up requests beyond 30 a minute
 * (admission.ts), so an observer that asked as often as its engine wants
 * (a job without a seed asks every second) would be penalised out of its
 * only peers' meshes. Through the port, asks beyond half the quota find no
 * peer with room and return nothing, and the peer penalises nothing.
 * Each peer's answer is counted by how it ended, in the node's metrics.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import * as lp from 'it-length-prefixed'
import { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHost, type Host } from '../../../node/p2p/host.ts'
import { MAX_SYNC_ITEM_BYTES, OPEN_JOBS_PROTOCOL, fetchVotes, serveVotes } from '../../../node/p2p/vote-sync.ts'
import { createNodeMetrics, NODE_METRIC_NAMES } from '../../../node/metrics.ts'
import { OWN_QUOTA_SHARE, type CatchUpAnswered, jobNetworkPort } from '../../../node/wiring/job-network-port.ts'
import { DEFAULT_ADMISSION_OPTIONS } from '../../../node/p2p/admission.ts'

describe('catch-up asks of an observer', () => {
  let server: Host
  let observer: Host
  let other: Host
  const jobId = 'ab'.repeat(32)
  const votes = [new TextEncoder().encode('{"vote":1}')]
  /** Peers the server's votes quota tracks (what `rate_limit_keys{limiter="catch-up-serve-votes"}` reads). */
  let servedKeys = (): number => -1

  beforeAll(async () => {
    const serverKey = await generateKeyPair('Ed25519')
    let serverId = ''
    const isValidator = (id: string): boolean => id === serverId
    server = await createHost({ privateKey: serverKey, networkId: 'pacenet', isValidator })
    serverId = server.peerId.toString()
    await server.start()
    await serveVotes(server, async (id) => (id === jobId ? votes : []), { limits: server, quotaKeys: (keys) => { servedKeys = keys } })
    // A peer whose open-jobs answer is one frame over the largest item a client reads.
    await server.libp2p.handle(OPEN_JOBS_PROTOCOL, ({ stream }) => { void stream.sink(lp.encode([new Uint8Array(MAX_SYNC_ITEM_BYTES + 1)])).catch(() => {}) })
    for (const which of ['observer', 'other'] as const) {
      const h = await createHost({ privateKey: await generateKeyPair('Ed25519'), networkId: 'pacenet', isValidator, bootstrap: server.multiaddrs() })
      await h.start()
      for (let i = 0; i < 100 && !h.isAdmitted(server.peerId); i++) await new Promise((r) => setTimeout(r, 100))
      if (which === 'observer') observer = h
      else other = h
    }
  })
  afterAll(async () => {
    await observer?.stop()
    await other?.stop()
    await server?.stop()
  })

  /** The node's counter of catch-up answers on a registry of its own, and its value per `protocol|result`. */
  function answerCounter (): { answered: CatchUpAnswered, count: (protocol: string, result: string) => Promise<number> } {
    const register = new Registry()
    const metrics = createNodeMetrics(register, { defaultMetrics: false })
    return {
      answered: (protocol, result) => { metrics.catchUp.answers.inc({ protocol, result }) },
      count: async (protocol, result) => (await register.getSingleMetric(NODE_METRIC_NAMES.catchUpAnswers)!.get()).values.find((v) => v.labels.protocol === protocol && v.labels.result === result)?.value ?? 0
    }
  }

  it('stay within half the quota: the first asks are answered, the rest return nothing, and the peer penalises nothing', async () => {
    const quota = DEFAULT_ADMISSION_OPTIONS.observer.syncRequestsPerMinute
    const { answered: onAnswer, count } = answerCounter()
    let paced = (): number => -1
    const port = jobNetworkPort(observer, () => {}, { answered: onAnswer, paceKeys: (keys) => { paced = keys } })
    expect(paced()).toBe(0)
    const signal = new AbortController().signal
    let answered = 0
    for (let i = 0; i < quota + 10; i++) if ((await port.catchUp(jobId, signal)).length > 0) answered++
    // A token comes back every 4 s at half of 30 a minute: one or two more while the loop runs.
    expect(answered).toBeGreaterThanOrEqual(quota * OWN_QUOTA_SHARE)
    expect(answered).toBeLessThan(quota)
    expect(server.penaltyOf(observer.peerId)).toBe(0)
    // Every answer that came back is counted `ok`; asks with no peer with room are not answers.
    expect(await count('votes', 'ok')).toBe(answered)
    // One peer asked, one peer paced here and one tracked by the server's quota.
    expect(paced()).toBe(1)
    expect(servedKeys()).toBe(1)
  })

  it('counts an answer over its bounds as ERR_SYNC_PROTOCOL and a protocol the peer does not serve as ERR_SYNC_UNREACHABLE', async () => {
    const { answered, count } = answerCounter()
    const port = jobNetworkPort(observer, () => {}, { answered })
    const signal = new AbortController().signal
    expect(await port.openJobs(signal)).toEqual([])
    expect(await count('open-jobs', 'ERR_SYNC_PROTOCOL')).toBe(1)
    // An ask of one named peer (a peer just admitted) goes to that peer and is counted alike.
    expect(await port.openJobs(signal, server.peerId.toString())).toEqual([])
    expect(await count('open-jobs', 'ERR_SYNC_PROTOCOL')).toBe(2)
    // The server does not serve certificates: the stream cannot be opened.
    const read = async (): Promise<void> => { for await (const _ of port.certificates(server.peerId.toString(), 0, signal)) { /* none */ } }
    await expect(read()).rejects.toMatchObject({ code: 'ERR_SYNC_UNREACHABLE' })
    expect(await count('certificates', 'ERR_SYNC_UNREACHABLE')).toBe(1)
    expect(await count('open-jobs', 'ok')).toBe(0)
  })

  it('(without the port) the same peer refuses and penalises requests beyond the quota', async () => {
    const quota = DEFAULT_ADMISSION_OPTIONS.observer.syncRequestsPerMinute
    let refused = 0
    const started = Date.now()
    for (let i = 0; i < quota + 10; i++) await fetchVotes(other, server.peerId, jobId).catch(() => { refused++ })
    // The peer's bucket gives a token back every 60 s / quota: on a loaded machine the loop lasts
    // seconds, so each token returned meanwhile lets one more ask through (not a time limit: the
    // bound follows the loop's own length).
    const refilled = Math.ceil((Date.now() - started) * quota / 60_000)
    expect(refused).toBeGreaterThanOrEqual(10 - refilled)
    expect(refused).toBeGreaterThan(0)
    expect(server.penaltyOf(other.peerId)).toBeGreaterThan(0)
  })
})
