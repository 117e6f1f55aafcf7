/**
 * Certificate catch-up, `/trust-engine/certificates/1.0.0`: a node that was
 * down (or not yet a member) while jobs were announced and decided asks a
 * peer for the certificates of the jobs decided there, newest job first,
 * and verifies each before storing it (node/job/certified-jobs.ts).
 *
 * Request: one length-prefixed frame of at most 256 bytes, JSON
 * `{ "since": ms, "from": n }`: the certificates of the jobs created at or
 * after `since` (the job's signed `createdAt`), newest first, from index
 * `from` of that list. Response: one length-prefixed frame per certificate,
 * its canonical bytes (at most MAX_CERTIFICATE_BYTES each), as many as fit
 * in MAX_CERTIFICATE_PAGE_BYTES (a single larger certificate makes a page
 * of its own) and at most MAX_SYNC_PAGE_ITEMS, then the end of the stream.
 * The client asks for the next page until a page comes back empty, up to
 * MAX_SYNC_CERTIFICATES in all. A list that grows meanwhile grows at its
 * head (new jobs are newest), which only repeats items across pages.
 *
 * Each request spends one token of the peer's catch-up quota
 * (`syncRequestsPerMinute`, shared logic with vote-sync.ts); a request over
 * it is refused (`ERR_STREAM_QUOTA`) and penalised. The receiver treats
 * every certificate as untrusted: decode, schema, `verifyCertificate`
 * against its own network file; a peer serving one that fails is penalised
 * with the failure's code.
 */
import type { PeerId } from '@libp2p/interface'
import { z } from 'zod'
import { MAX_CERTIFICATE_BYTES } from '../../protocol/constants.ts'
import type { HasLibp2p } from './blob-protocol.ts'
import { MAX_SYNC_PAGE_ITEMS, type PageLimits, type ServeSyncOptions, encodeJson, exchange, parseRequest, requestQuota, serveOne } from './vote-sync.ts'

/** Protocol id of certificate catch-up. */
export const CERTIFICATE_SYNC_PROTOCOL = '/trust-engine/certificates/1.0.0'

/** Most certificates fetched from one peer in one catch-up: a few hours of a busy network; older ones are not worth a restart's time. */
export const MAX_SYNC_CERTIFICATES = 1024

/** Largest page in bytes of certificates: a few hundred small-network certificates (about 5 KiB each at four validators). */
export const MAX_CERTIFICATE_PAGE_BYTES = 1024 * 1024

const PAGE_LIMITS: PageLimits = { itemBytes: MAX_CERTIFICATE_BYTES, pageBytes: MAX_CERTIFICATE_PAGE_BYTES }

const requestSchema = z.strictObject({
  since: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
  from: z.int().min(0).max(MAX_SYNC_CERTIFICATES)
})

/** What a certificate catch-up server reads. */
export interface CertificateSource {
  /** Job ids of the final jobs created at or after `since`, newest first. */
  list: (since: number) => string[]
  /** The canonical bytes of a job's certificate, or null when gone. */
  load: (jobId: string) => Promise<Uint8Array | null>
}

/** Serves the certificates of decided jobs, paged. Returns a function that stops serving. */
export async function serveCertificates (host: HasLibp2p, source: CertificateSource, options: ServeSyncOptions = {}): Promise<() => Promise<void>> {
  const quota = requestQuota(options.limits, options.quotaKeys)
  await host.libp2p.handle(CERTIFICATE_SYNC_PROTOCOL, ({ stream, connection }) => {
    void serveOne(stream, connection.remotePeer.toString(), quota, options, async (bytes) => {
      const { since, from } = parseRequest(bytes, requestSchema)
      return await certificatePage(source, since, from)
    })
  }, { maxInboundStreams: 4 })
  return async () => { await host.libp2p.unhandle(CERTIFICATE_SYNC_PROTOCOL) }
}

/** The certificates from index `from` of the list that fit in one page. */
async function certificatePage (source: CertificateSource, since: number, from: number): Promise<Uint8Array[]> {
  const ids = source.list(since)
  const out: Uint8Array[] = []
  let bytes = 0
  for (let i = from; i < ids.length && i < MAX_SYNC_CERTIFICATES && out.length < MAX_SYNC_PAGE_ITEMS; i++) {
    const item = await source.load(ids[i]!)
    if (item === null || item.byteLength > MAX_CERTIFICATE_BYTES) continue
    if (out.length > 0 && bytes + item.byteLength > MAX_CERTIFICATE_PAGE_BYTES) break
    bytes += item.byteLength
    out.push(item)
  }
  return out
}

/**
 * Asks `peer` for the certificates of the jobs created at or after `since`,
 * page by page, yielding their bytes (not yet validated) as each page
 * arrives, at most MAX_SYNC_CERTIFICATES. Codes: `ERR_SYNC_UNREACHABLE`,
 * `ERR_SYNC_TIMEOUT`, `ERR_SYNC_PROTOCOL` (oversized frame or page).
 */
export async function * fetchCertificates (host: HasLibp2p, peer: PeerId | string, since: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  let from = 0
  while (from < MAX_SYNC_CERTIFICATES) {
    const items = await exchange(host, peer, CERTIFICATE_SYNC_PROTOCOL, encodeJson({ since, from }), signal, PAGE_LIMITS)
    if (items.length === 0) return
    for (const item of items.slice(0, MAX_SYNC_CERTIFICATES - from)) yield item
    from += items.length
  }
}
