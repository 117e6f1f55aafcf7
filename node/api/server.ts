/**
 * The node's HTTP API (fastify). It talks to the node only through
 * {@link TrustEngineNodeApi}; each route group lives in `node/api/routes/`.
 *
 * Cross-cutting rules, applied here once for every route:
 * - errors are `{ error: { code, message } }` with a stable code and a 4xx/5xx
 *   status (`node/api/errors.ts`);
 * - an API bound to loopback answers only requests whose `Host` is a loopback
 *   name or address (`localhost`, 127.0.0.0/8, `[::1]`): a web page whose own
 *   name was rebound to 127.0.0.1 cannot use it (DNS rebinding; 403
 *   `ERR_HOST_NOT_ALLOWED`);
 * - writing routes check the bearer token in `onRequest`, before any body is
 *   read, comparing in constant time;
 * - reading requests (`GET`, `HEAD`) are limited per client address
 *   (`readsPerMinute`) in `onRequest`, but `/healthz` and `/metrics`
 *   ({@link UNLIMITED_READS});
 * - every response, rejections included, is counted in
 *   `trust_engine_http_requests_total` labelled by route pattern (never the
 *   raw URL), method and status;
 * - a path that exists for another method answers 405 with an `Allow` header.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import Fastify, { type FastifyReply, type FastifyRequest, type onRequestHookHandler } from 'fastify'
import { createNodeMetrics } from '../metrics.ts'
import { ClientRateLimit } from './rate-limit.ts'
import { limitConnections } from './connection-limit.ts'
import type { TrustEngineNodeApi } from '../node-api.ts'
import type { RouteContext } from './context.ts'
import { ERR_BAD_REQUEST, ERR_HEADERS_TOO_LARGE, ERR_HOST_NOT_ALLOWED, ERR_METHOD_NOT_ALLOWED, ERR_NOT_FOUND, ERR_PARAM_TOO_LONG, ERR_REQUEST_TIMEOUT, ERR_UNAUTHORIZED, apiError, toErrorResponse } from './errors.ts'
import { isLoopbackHost, resolveApiOptions, type ApiOptions } from './options.ts'
import { registerAuditRoutes } from './routes/audit.ts'
import { registerBlobRoutes } from './routes/blobs.ts'
import { registerConsoleRoutes } from './routes/console.ts'
import { registerEventRoutes } from './routes/events.ts'
import { registerEvidenceRoutes } from './routes/evidence.ts'
import { registerHealthRoutes } from './routes/health.ts'
import { registerJobRoutes } from './routes/jobs.ts'
import { registerOptimizerReportRoutes } from './routes/optimizer-report.ts'
import { registerMetricsRoutes } from './routes/metrics.ts'
import { registerNodeRoutes } from './routes/node.ts'
import { registerPeerRoutes } from './routes/peers.ts'
import { registerReputationRoutes } from './routes/reputation.ts'
import { registerScheduleRoutes } from './routes/schedules.ts'

export { DEFAULT_API_OPTIONS, type ApiOptions } from './options.ts'

/** A running API server. */
export interface ApiServer {
  /** Base URL, e.g. `http://127.0.0.1:7700` (with the real port when started on port 0). */
  url: string
  /** Stops accepting requests and closes open connections; safe to call twice. */
  close: () => Promise<void>
}

/** Route label of requests that matched no route (keeps the label set bounded). */
const UNMATCHED_ROUTE = 'unmatched'

/**
 * Starts the HTTP API of `node`. Refuses to start (`ERR_API_TOKEN_REQUIRED`)
 * when `host` is not a loopback address and no token is given.
 *
 * @example
 * const api = await startApi(node, { port: 0 })
 * const info = await (await fetch(`${api.url}/v1/node`)).json()
 * await api.close()
 */
export async function startApi (node: TrustEngineNodeApi, options: Partial<ApiOptions> = {}): Promise<ApiServer> {
  const opts = resolveApiOptions(options)
  const metrics = createNodeMetrics(node.metricsRegistry, { defaultMetrics: false })
  const app = Fastify({
    logger: false,
    bodyLimit: opts.bodyLimit,
    requestTimeout: opts.requestTimeoutMs,
    // Node checks request timeouts on this interval (30 s by default): a quarter of the timeout keeps 408s near it.
    // Headers must arrive within the request timeout too (Node's default is 60 s, whatever the request timeout).
    http: { requestTimeout: opts.requestTimeoutMs, headersTimeout: Math.min(60_000, opts.requestTimeoutMs), connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(opts.requestTimeoutMs / 4))) },
    // Close keep-alive connections on close(), so stopping a node never waits
    // for an idle client.
    forceCloseConnections: true,
    return503OnClosing: true,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Errors the HTTP server answers before fastify sees a request (bad request line, headers over
    // 16 KiB, a request that timed out) get the API's error body too.
    clientErrorHandler: answerClientError,
    // URLs fastify cannot route (bad percent-encoding) skip the hooks, so they
    // are counted here.
    frameworkErrors: (err, request, reply) => {
      sendError(reply, err)
      metrics.http.requests.inc({ route: UNMATCHED_ROUTE, method: request.method, status: String(reply.statusCode) })
    }
  })
  // Only JSON outside the blob route: text bodies are refused with 415.
  app.removeContentTypeParser('text/plain')

  const routes: Array<{ methods: string[], pattern: RegExp }> = []
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    routes.push({ methods: methods.map(m => m.toUpperCase()), pattern: routePattern(route.url ?? route.path) })
  })
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE
    metrics.http.requests.inc({ route, method: request.method, status: String(reply.statusCode) })
  })
  app.setErrorHandler((err, _request, reply) => { sendError(reply, err) })
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0]!
    const allowed = routes.filter(r => r.pattern.test(path)).flatMap(r => r.methods)
    if (allowed.includes(request.method)) {
      // The path has the shape of a route of this method, so the router refused it for a parameter over its length limit.
      sendError(reply, apiError(ERR_PARAM_TOO_LONG, `a path parameter is longer than ${MAX_PARAM_LENGTH} characters`))
      return
    }
    if (allowed.length > 0) {
      void reply.header('allow', [...new Set(allowed)].sort().join(', '))
      sendError(reply, apiError(ERR_METHOD_NOT_ALLOWED, `${request.method} is not allowed on ${path}`))
      return
    }
    sendError(reply, apiError(ERR_NOT_FOUND, `no route ${request.method} ${path}`))
  })

  // A loopback API has no token by default, so its only guard against web pages is the browser's same-origin
  // rule, which DNS rebinding defeats: a page on evil.example, its name rebound to 127.0.0.1, is same-origin
  // with the node. Its requests still carry `Host: evil.example`, so a loopback API refuses every other Host.
  if (isLoopbackHost(opts.host)) {
    app.addHook('onRequest', async (request) => {
      const host = request.headers.host
      if (host !== undefined && !isLoopbackHost(hostOfHeader(host))) {
        throw apiError(ERR_HOST_NOT_ALLOWED, 'this API is bound to loopback and answers only requests for localhost, 127.0.0.0/8 or [::1]')
      }
    })
  }

  // Before the routes are declared, so every reading route has the hook (writing routes have their own limits).
  const reads = new ClientRateLimit(opts.readsPerMinute, 'reads', 'api-reads', metrics)
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url
    // A request that matched no route answers 404/405 from memory and is not counted.
    if ((request.method === 'GET' || request.method === 'HEAD') && route !== undefined && !UNLIMITED_READS.has(route)) reads.take(request, reply)
  })
  const writes = new ClientRateLimit(opts.writesPerMinute, 'job submissions and schedule cancellations', 'api-writes', metrics)
  const limitWrites: onRequestHookHandler = async (request, reply) => { writes.take(request, reply) }
  const ctx: RouteContext = { node, options: opts, metrics, requireToken: tokenHook(opts.token), limitWrites }
  for (const register of [registerNodeRoutes, registerBlobRoutes, registerJobRoutes, registerEvidenceRoutes, registerOptimizerReportRoutes, registerEventRoutes, registerScheduleRoutes, registerReputationRoutes, registerPeerRoutes, registerAuditRoutes, registerHealthRoutes, registerMetricsRoutes, registerConsoleRoutes]) {
    await register(app, ctx)
  }

  limitConnections(app.server, opts, metrics)
  await app.listen({ host: opts.host, port: opts.port })
  const address = app.server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  let closing: Promise<void> | null = null
  return {
    url: `http://${host}:${address.port}`,
    close: async () => {
      closing ??= app.close()
      await closing
    }
  }
}

/**
 * Reading routes without a per-client limit: a probe (`/healthz`, load
 * balancers, Docker, the crash loop every 100 ms while a node rejoins) or a
 * scraper (`/metrics`) refused would call a healthy node down or leave a gap
 * in its graphs, and both answer from memory, at a size that does not grow
 * with the node's data. The event stream is limited at its opening like any
 * read (then bounded by `events.maxClients`).
 */
export const UNLIMITED_READS: ReadonlySet<string> = new Set(['/healthz', '/metrics'])

/** Longest path parameter the router accepts: ids are 32 or 64 characters. */
export const MAX_PARAM_LENGTH = 128

/** Answers a connection-level HTTP error (Node's `clientError`) with the API's error body, then closes. */
function answerClientError (err: NodeJS.ErrnoException, socket: Duplex): void {
  const [status, code, reason] = err.code === 'HPE_HEADER_OVERFLOW'
    ? [431, ERR_HEADERS_TOO_LARGE, 'Request Header Fields Too Large']
    : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, ERR_REQUEST_TIMEOUT, 'Request Timeout']
      : [400, ERR_BAD_REQUEST, 'Bad Request']
  if (!socket.writable) { socket.destroy(); return }
  const body = JSON.stringify({ error: { code, message: reason.toLowerCase() } })
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
}

function sendError (reply: FastifyReply, err: unknown): void {
  const { status, body } = toErrorResponse(err)
  void reply.code(status).type('application/json; charset=utf-8').send(body)
}

/** Regex matching the concrete paths of a route pattern like `/v1/jobs/:id`. */
function routePattern (url: string): RegExp {
  const escaped = url.split('/').map(seg => seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('/')
  return new RegExp(`^${escaped}/?$`)
}

/**
 * The `onRequest` hook of writing routes. Without a token (loopback only,
 * enforced by `resolveApiOptions`) it lets every request through. With one,
 * it compares sha256 digests with `timingSafeEqual`, so neither the content
 * nor the length of the token leaks through response timing.
 */
function tokenHook (token: string | undefined): onRequestHookHandler {
  if (token === undefined) return async () => {}
  const expected = createHash('sha256').update(token).digest()
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization
    const match = typeof header === 'string' ? /^Bearer ([^\s]+)$/.exec(header) : null
    const given = createHash('sha256').update(match?.[1] ?? '').digest()
    if (match === null || !timingSafeEqual(given, expected)) {
      void reply.header('www-authenticate', 'Bearer')
      throw apiError(ERR_UNAUTHORIZED, 'missing or wrong bearer token')
    }
  }
}

/** The host of a `Host` header value: `[::1]:7700` → `[::1]`, `127.0.0.1:7700` → `127.0.0.1`, lowercased. */
export function hostOfHeader (value: string): string {
  const v = value.trim().toLowerCase()
  if (v.startsWith('[')) {
    const end = v.indexOf(']')
    return end === -1 ? v : v.slice(0, end + 1)
  }
  const colon = v.indexOf(':')
  return colon === -1 ? v : v.slice(0, colon)
}
