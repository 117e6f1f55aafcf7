/** `GET /healthz`: liveness for load balancers and process supervisors. */
import type { RegisterRoutes } from '../context.ts'

/** Registers `GET /healthz`: 200 with the `HealthView` while the node is ok, 503 otherwise. */
export const registerHealthRoutes: RegisterRoutes = (app, { node }) => {
  app.get('/healthz', async (_request, reply) => {
    const health = node.health()
    return await reply.code(health.ok ? 200 : 503).send(health)
  })
}
