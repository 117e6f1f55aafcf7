/** What every route group of the HTTP API receives when it registers its routes. */
import type { FastifyInstance, onRequestHookHandler } from 'fastify'
import type { NodeMetrics } from '../metrics.ts'
import type { TrustEngineNodeApi } from '../node-api.ts'
import type { ApiOptions } from './options.ts'

/** Dependencies of the route groups. */
export interface RouteContext {
  /** The node, through its public API only. */
  node: TrustEngineNodeApi
  /** Resolved API options. */
  options: ApiOptions
  /** The node's metrics tree (declared on `node.metricsRegistry`). */
  metrics: NodeMetrics
  /** `onRequest` hook of the writing routes: checks the bearer token before the body is read. */
  requireToken: onRequestHookHandler
  /** `onRequest` hook of the writing routes but uploads: the per-client limit of `writesPerMinute` (node/api/rate-limit.ts), after the token. */
  limitWrites: onRequestHookHandler
}

/** A route group: declares its routes on `app`. */
export type RegisterRoutes = (app: FastifyInstance, ctx: RouteContext) => void | Promise<void>
