/** `GET /v1/node`: identity, network and addresses of the node. */
import type { RegisterRoutes } from '../context.ts'

/** Registers `GET /v1/node` (a `NodeInfo`). */
export const registerNodeRoutes: RegisterRoutes = (app, { node }) => {
  app.get('/v1/node', async () => node.info())
}
