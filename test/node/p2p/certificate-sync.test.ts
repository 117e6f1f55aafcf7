/**
 * The certificate catch-up protocol between two real libp2p hosts on
 * 127.0.0.1: certificates come back newest first across pages, filtered by
 * `since`; a malformed request and a request over the quota are refused
 * (the latter penalised); an oversized frame is refused by the client.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import * as lp from 'it-length-prefixed'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CERTIFICATE_SYNC_PROTOCOL, MAX_SYNC_CERTIFICATES, fetchCertificates, serveCertificates } from '../../../node/p2p/certificate-sync.ts'
import { DEFAULT_ADMISSION_OPTIONS } from '../../../node/p2p/admission.ts'
import { createHost, type Host } from '../../../node/p2p/host.ts'
import { MAX_SYNC_PAGE_ITEMS } from '../../../node/p2p/vote-sync.ts'
import { MAX_CERTIFICATE_BYTES } from '../../../protocol/constants.ts'
import { isTrustEngineError } from '../../../protocol/errors.ts'

/** 300 fake jobs, newest first: job i was created at 1000 − i. */
const JOBS = Array.from({ length: 300 }, (_, i) => ({ jobId: i.toString(16).padStart(64, '0'), createdAt: 1000 - i }))
const bytesOf = (jobId: string): Uint8Array => new TextEncoder().encode(`{"cert":"${jobId}"}`)

async function collect (it: AsyncIterable<Uint8Array>): Promise<string[]> {
  const out: string[] = []
  for await (const b of it) out.push(new TextDecoder().decode(b))
  return out
}

describe('certificate catch-up protocol', () => {
  let server: Host
  let limited: Host
  let client: Host
  let oversized: Host
  const penalties: string[] = []
  const source = {
    list: (since: number) => JOBS.filter((j) => j.createdAt >= since).map((j) => j.jobId),
    load: async (jobId: string) => bytesOf(jobId)
  }

  beforeAll(async () => {
    server = await createHost({ privateKey: await generateKeyPair('Ed25519'), networkId: 'certnet' })
    await server.start()
    await serveCertificates(server, source)
    limited = await createHost({ privateKey: await generateKeyPair('Ed25519'), networkId: 'certnet' })
    await limited.start()
    await serveCertificates(limited, source, {
      // One request a minute per peer: the second within the minute is refused.
      limits: { quota: () => ({ ...DEFAULT_ADMISSION_OPTIONS.observer, syncRequestsPerMinute: 1 }), penalise: (_peer, code) => { penalties.push(code) } }
    })
    oversized = await createHost({ privateKey: await generateKeyPair('Ed25519'), networkId: 'certnet' })
    await oversized.start()
    await oversized.libp2p.handle(CERTIFICATE_SYNC_PROTOCOL, ({ stream }) => {
      void stream.sink([lp.encode.single(new Uint8Array(MAX_CERTIFICATE_BYTES + 1))]).catch(() => {})
    })
    client = await createHost({ privateKey: await generateKeyPair('Ed25519'), networkId: 'certnet', bootstrap: [...server.multiaddrs(), ...limited.multiaddrs(), ...oversized.multiaddrs()] })
    await client.start()
    for (let i = 0; i < 100 && ![server, limited, oversized].every((h) => client.isAdmitted(h.peerId)); i++) await new Promise((r) => setTimeout(r, 100))
  })
  afterAll(async () => {
    await client?.stop()
    await oversized?.stop()
    await limited?.stop()
    await server?.stop()
  })

  it('returns the certificates of the jobs created since a moment, newest first, over as many pages as needed', async () => {
    // 300 items: a full page of MAX_SYNC_PAGE_ITEMS, the rest, then an empty page (three requests).
    expect(MAX_SYNC_PAGE_ITEMS).toBeLessThan(300)
    const all = await collect(fetchCertificates(client, server.peerId, 0))
    expect(all).toEqual(JOBS.map((j) => `{"cert":"${j.jobId}"}`))
    expect(MAX_SYNC_CERTIFICATES).toBeGreaterThan(300)
    // Only the jobs created at or after `since`.
    expect(await collect(fetchCertificates(client, server.peerId, 998))).toEqual(JOBS.slice(0, 3).map((j) => `{"cert":"${j.jobId}"}`))
  })

  it('refuses and penalises a request over the peer\'s quota', async () => {
    // Three jobs: one page and the empty page that ends the list, two requests against a quota of one a minute.
    const err = await collect(fetchCertificates(client, limited.peerId, 998)).catch((e: unknown) => e)
    expect(isTrustEngineError(err)).toBe(true)
    expect(penalties).toEqual(['ERR_STREAM_QUOTA'])
  })

  it('gives ERR_SYNC_PROTOCOL for a frame over the certificate size limit', async () => {
    const err = await collect(fetchCertificates(client, oversized.peerId, 0)).catch((e: unknown) => e)
    expect(isTrustEngineError(err, 'ERR_SYNC_PROTOCOL')).toBe(true)
  })

  it('the server ends the stream on a malformed request without answering', async () => {
    const stream = await client.libp2p.dialProtocol(server.peerId, CERTIFICATE_SYNC_PROTOCOL)
    void stream.sink([lp.encode.single(new TextEncoder().encode('{"since":-1,"from":0}'))]).catch(() => {})
    const frames: unknown[] = []
    try {
      for await (const f of lp.decode(stream.source)) frames.push(f)
    } catch {}
    expect(frames).toEqual([])
  })
})
