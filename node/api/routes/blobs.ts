/** `POST /v1/blobs`: upload raw bytes into the node's content-addressed store. */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RegisterRoutes } from '../context.ts'
import { ERR_BAD_REQUEST, ERR_UPLOADS_BUSY, apiError } from '../errors.ts'
import { ClientRateLimit } from '../rate-limit.ts'

/** Content type `POST /v1/blobs` reads. */
export const BLOB_CONTENT_TYPE = 'application/octet-stream'

/**
 * Registers `POST /v1/blobs` in its own encapsulated context, where the only
 * body parser is raw bytes up to `maxBlobBytes` (so the JSON limit of the
 * other routes does not apply, and JSON is refused here). Answers 201
 * `{ sha256, size }`. (The node counts the uploaded bytes in its metrics.)
 * Uploads are rate-limited per client address, in uploads and in declared
 * bytes per minute, before the body is read (429 `ERR_RATE_LIMITED` with
 * `Retry-After`, node/api/rate-limit.ts), and
 * all uploads being received together hold at most `maxUploadBytesInFlight`
 * bytes, by Content-Length, before any body is read (503 `ERR_UPLOADS_BUSY`;
 * shown by `trust_engine_blob_uploads_in_flight_bytes`). A new
 * blob counts against its uploader's (client address's) quota of uploads no
 * job names yet (507 `ERR_BLOB_UPLOADER_QUOTA`) and the node's blob quota
 * (507 `ERR_BLOB_QUOTA`).
 */
export const registerBlobRoutes: RegisterRoutes = async (app, { node, options, metrics, requireToken }) => {
  const uploads = new ClientRateLimit(options.uploadsPerMinute, 'uploads', 'api-uploads', metrics)
  const bytes = new ClientRateLimit(options.uploadBytesPerMinute, 'upload bytes', 'api-upload-bytes', metrics)
  const rateLimit = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const declared = Number(request.headers['content-length'] ?? 0)
    const size = Number.isSafeInteger(declared) && declared > 0 ? Math.min(declared, options.maxBlobBytes) : 0
    uploads.take(request, reply)
    if (size > 0) bytes.take(request, reply, size)
  }
  let inFlight = 0
  const reserve = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const declared = Number(request.headers['content-length'] ?? Number.NaN)
    // Without a Content-Length (chunked) the body may be as large as any blob.
    const size = Number.isSafeInteger(declared) && declared >= 0 ? Math.min(declared, options.maxBlobBytes) : options.maxBlobBytes
    if (inFlight + size > options.maxUploadBytesInFlight) throw apiError(ERR_UPLOADS_BUSY, `uploads of ${inFlight} bytes are being received; retry shortly`)
    inFlight += size
    metrics.blobs.uploadsInFlightBytes.set(inFlight)
    // Released when the response ends or the connection closes early, whatever the outcome.
    reply.raw.once('close', () => {
      inFlight -= size
      metrics.blobs.uploadsInFlightBytes.set(inFlight)
    })
  }
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser(BLOB_CONTENT_TYPE, { parseAs: 'buffer', bodyLimit: options.maxBlobBytes }, (_request, body, done) => {
      done(null, body)
    })
    scope.post('/v1/blobs', { onRequest: [requireToken, rateLimit, reserve], bodyLimit: options.maxBlobBytes }, async (request, reply) => {
      const body = request.body
      if (!(body instanceof Uint8Array)) throw apiError(ERR_BAD_REQUEST, `send the blob as ${BLOB_CONTENT_TYPE}`)
      if (body.length === 0) throw apiError(ERR_BAD_REQUEST, 'a blob must not be empty')
      // The uploader is the client address (docs/decisions.md): one API token is shared by every client.
      const sha256 = await node.putBlob(body, request.ip)
      return await reply.code(201).send({ sha256, size: body.length })
    })
  })
}
