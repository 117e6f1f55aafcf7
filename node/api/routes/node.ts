/** `GET /v1/node`: identity, network and addresses of the node; `GET /v1/network`: its network file. */
import type { RegisterRoutes } from '../context.ts'

/**
 * Registers `GET /v1/node` (a `NodeInfo`) and `GET /v1/network` (the network
 * file the node runs with, so a client can check certificates against it).
 */
export const registerNodeRoutes: RegisterRoutes = (app, { node }) => {
  app.get('/v1/node', async () => node.info())
  app.get('/v1/network', async () => node.network())
}
