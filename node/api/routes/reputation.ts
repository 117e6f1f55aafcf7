/** `GET /v1/reputation`: this node's view of every validator's reputation. */
import type { RegisterRoutes } from '../context.ts'

/** Registers `GET /v1/reputation` (`{ validators: ReputationView[] }`). */
export const registerReputationRoutes: RegisterRoutes = (app, { node }) => {
  app.get('/v1/reputation', async () => ({ validators: await node.reputations() }))
}
