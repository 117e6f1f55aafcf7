/** `GET /metrics`: Prometheus text exposition of the node's registry. */
import type { RegisterRoutes } from '../context.ts'

/** Registers `GET /metrics` (content type of the registry, text format 0.0.4). */
export const registerMetricsRoutes: RegisterRoutes = (app, { node }) => {
  app.get('/metrics', async (_request, reply) => {
    const registry = node.metricsRegistry
    const text = await registry.metrics()
    return await reply.type(registry.contentType).send(text)
  })
}
