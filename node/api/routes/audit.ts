/** `GET /v1/audit?from=&limit=`: a page of the node's hash-chained audit trail. */
import type { RegisterRoutes } from '../context.ts'
import { auditQuerySchema, parseRequest } from '../schemas.ts'

/**
 * Default page size of the audit route: a client paging through the trail
 * gets entries in batches of 100 unless it asks otherwise.
 */
export const DEFAULT_AUDIT_LIMIT = 100

/**
 * Registers `GET /v1/audit`: entries from `from` (default 0), at most `limit`
 * (default 100, at most `maxListLimit`), with the current head.
 */
export const registerAuditRoutes: RegisterRoutes = (app, { node, options }) => {
  app.get('/v1/audit', async (request) => {
    const query = parseRequest(auditQuerySchema, request.query, 'query')
    const limit = Math.min(query.limit ?? DEFAULT_AUDIT_LIMIT, options.maxListLimit)
    return await node.audit(query.from ?? 0, limit)
  })
}
