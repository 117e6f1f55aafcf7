/** `GET /v1/events`: the node's server-sent events (node/api/event-stream.ts). */
import { z } from 'zod'
import type { RegisterRoutes } from '../context.ts'
import { ERR_EVENTS_BUSY, apiError } from '../errors.ts'
import { EventHub } from '../event-stream.ts'
import { parseRequest, sha256Schema } from '../schemas.ts'

/** Query of `GET /v1/events`: `job` narrows the stream to one job's events. */
export const eventsQuerySchema = z.strictObject({ job: sha256Schema.optional() })

/**
 * Registers `GET /v1/events` (read-only, open like the other reading routes).
 * More than `maxClients` streams at once: 503 `ERR_EVENTS_BUSY`.
 */
export const registerEventRoutes: RegisterRoutes = (app, { node, options, metrics }) => {
  const hub = new EventHub(node, options.events, { clients: (n) => { metrics.http.eventClients.set(n) }, dropped: () => { metrics.http.eventClientsDropped.inc() } })
  app.addHook('onClose', async () => { hub.close() })
  app.get('/v1/events', async (request, reply) => {
    const query = parseRequest(eventsQuerySchema, request.query, 'query')
    if (!hub.hasRoom) throw apiError(ERR_EVENTS_BUSY, `more than ${options.events.maxClients} event streams are open on this node`)
    const info = node.info()
    // The stream outlives this handler: fastify hands the raw response over.
    reply.hijack()
    hub.attach(reply.raw, { networkId: info.networkId, version: info.version, peerId: info.peerId }, query.job)
  })
}
