/** `GET /v1/peers`: connected and remembered peers. */
import type { RegisterRoutes } from '../context.ts'

/** Registers `GET /v1/peers` (`{ peers: PeerView[] }`). */
export const registerPeerRoutes: RegisterRoutes = (app, { node }) => {
  app.get('/v1/peers', async () => ({ peers: await node.peers() }))
}
