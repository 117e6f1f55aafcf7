/** Shared parts of the full-disk tests: a tmpfs of a given size, and a node's API driven over HTTP. */
import { execFileSync } from 'node:child_process'
import type { TrustEngineNode } from '../../../node/node.ts'
import { verifyAudit, type AuditVerifyResult } from '../../../node/store/audit-verify.ts'
import { dataDirLayout } from '../../../node/store/data-dir.ts'
import { openStore } from '../../../node/store/db.ts'
import { goodCandidatePng, referencePng } from '../api/fixtures.ts'

/** Mounts a tmpfs of `size` on `dir` (or changes its size with `remount`); false when this process may not mount. */
export function mountTmpfs (dir: string, size: string, remount = false): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', remount ? `remount,size=${size}` : `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** An answer of the API: status and parsed JSON body. */
export interface ApiAnswer { status: number, body: any }

/** POSTs to the API at `url`. */
export function apiPoster (url: string): (path: string, body: Uint8Array | string, type: string) => Promise<ApiAnswer> {
  return async (path, body, type) => {
    const res = await fetch(`${url}${path}`, { method: 'POST', body, headers: { 'content-type': type } })
    return { status: res.status, body: await res.json() }
  }
}

/** Uploads the reference and candidate frame of a job that validates; returns their ids. */
export async function uploadFrames (post: ReturnType<typeof apiPoster>): Promise<{ reference: string, candidate: string }> {
  const reference = (await post('/v1/blobs', referencePng(), 'application/octet-stream')).body.sha256 as string
  const candidate = (await post('/v1/blobs', goodCandidatePng(), 'application/octet-stream')).body.sha256 as string
  return { reference, candidate }
}

/** Waits (bounded: 1200 polls of 100 ms) until the job is final; returns its status and finality. */
export async function untilFinal (node: TrustEngineNode, jobId: string): Promise<[unknown, unknown]> {
  let view = await node.getJob(jobId)
  for (let n = 0; n < 1200 && view?.final !== true; n++) {
    await new Promise((r) => setTimeout(r, 100))
    view = await node.getJob(jobId)
  }
  return [view?.status, view?.final]
}

/** The full verification of a stopped node's audit trail. */
export async function verifyStoppedTrail (dataDir: string): Promise<AuditVerifyResult> {
  const store = await openStore(dataDirLayout(dataDir).db, { createIfMissing: false })
  try {
    return await verifyAudit(store)
  } finally {
    await store.close()
  }
}
