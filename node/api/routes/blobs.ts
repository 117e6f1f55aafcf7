/** `POST /v1/blobs`: upload raw bytes into the node's content-addressed store. */
import type { RegisterRoutes } from '../context.ts'
import { ERR_BAD_REQUEST, apiError } from '../errors.ts'

/** Content type `POST /v1/blobs` reads. */
export const BLOB_CONTENT_TYPE = 'application/octet-stream'

/**
 * Registers `POST /v1/blobs` in its own encapsulated context, where the only
 * body parser is raw bytes up to `maxBlobBytes` (so the JSON limit of the
 * other routes does not apply, and JSON is refused here). Answers 201
 * `{ sha256, size }`. (The node counts the uploaded bytes in its metrics.)
 */
export const registerBlobRoutes: RegisterRoutes = async (app, { node, options, requireToken }) => {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser(BLOB_CONTENT_TYPE, { parseAs: 'buffer', bodyLimit: options.maxBlobBytes }, (_request, body, done) => {
      done(null, body)
    })
    scope.post('/v1/blobs', { onRequest: requireToken, bodyLimit: options.maxBlobBytes }, async (request, reply) => {
      const body = request.body
      if (!(body instanceof Uint8Array)) throw apiError(ERR_BAD_REQUEST, `send the blob as ${BLOB_CONTENT_TYPE}`)
      if (body.length === 0) throw apiError(ERR_BAD_REQUEST, 'a blob must not be empty')
      const sha256 = await node.putBlob(body)
      return await reply.code(201).send({ sha256, size: body.length })
    })
  })
}
