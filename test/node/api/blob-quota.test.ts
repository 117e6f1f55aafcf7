/**
 * The per-uploader blob quota through the HTTP API of a real node: uploads
 * no job names count against the client address, 507
 * ERR_BLOB_UPLOADER_QUOTA past it, and a job naming them frees the quota.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../../protocol/hash.ts'
import { goodCandidatePng, json, octets, referencePng, startTestNode, type TestNode } from './fixtures.ts'

const reference = referencePng()
const candidate = goodCandidatePng()
let t: TestNode

beforeAll(async () => { t = await startTestNode({ blobs: { maxPendingBytesPerUploader: reference.byteLength + candidate.byteLength } }) })
afterAll(async () => { await t.close() })

async function call (path: string, init?: RequestInit): Promise<{ status: number, body: any }> {
  const res = await fetch(`${t.url}${path}`, init)
  return { status: res.status, body: await res.json() }
}

describe('per-uploader blob quota', () => {
  it('answers 507 ERR_BLOB_UPLOADER_QUOTA past the quota, stores nothing, and takes uploads again once a job names the pending ones', async () => {
    expect((await call('/v1/blobs', octets(reference))).status).toBe(201)
    expect((await call('/v1/blobs', octets(candidate))).status).toBe(201)
    const extra = new Uint8Array(64).fill(7)
    const refused = await call('/v1/blobs', octets(extra))
    expect([refused.status, refused.body.error.code]).toEqual([507, 'ERR_BLOB_UPLOADER_QUOTA'])
    expect(await t.node.hasBlob(sha256Hex(extra))).toBe(false)
    const job = await call('/v1/jobs', json({ kind: 'frames', reference: [sha256Hex(reference)], candidate: [sha256Hex(candidate)] }))
    expect(job.status).toBe(201)
    expect((await call('/v1/blobs', octets(extra))).status).toBe(201)
  })
})
