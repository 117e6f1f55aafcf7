/**
 * Per-client rate limits of the HTTP API: one token bucket per client
 * address (`request.ip`) and limit, checked in `onRequest`, before the body
 * is read. A request beyond answers 429 `ERR_RATE_LIMITED` with
 * `Retry-After` (whole seconds until the bucket holds a token again) and is
 * counted in `trust_engine_http_rate_limited_total{route}`.
 *
 * The key is the address, not the API token: a node has one token, shared
 * by every client it trusts (docs/decisions.md, "Uploads are counted per
 * client address"), so a per-token bucket would be one bucket for all.
 * The buckets are bounded (4096 addresses, least recently used forgotten:
 * node/p2p/rate-limit.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { NodeMetrics } from '../metrics.ts'
import { countLimiterKeys } from '../metrics-scrape.ts'
import { KeyedTokenBuckets } from '../p2p/rate-limit.ts'
import { ERR_RATE_LIMITED, apiError } from './errors.ts'

/** One per-client limit: `perMinute` requests (or units, see {@link ClientRateLimit.take}) a minute, a burst of as many. */
export class ClientRateLimit {
  readonly #buckets: KeyedTokenBuckets
  readonly #perMinute: number
  readonly #what: string
  readonly #metrics: NodeMetrics

  /**
   * `what` names the unit in the error's message (`job submissions`,
   * `upload bytes`); `limiter` the limit in `rate_limit_keys{limiter}`
   * (`api-reads`, `api-upload-bytes`).
   */
  constructor (perMinute: number, what: string, limiter: string, metrics: NodeMetrics, now: () => number = Date.now) {
    this.#buckets = new KeyedTokenBuckets({ ratePerSecond: perMinute / 60, burst: perMinute }, 4096, now)
    countLimiterKeys(metrics, limiter, () => this.#buckets.size)
    this.#perMinute = perMinute
    this.#what = what
    this.#metrics = metrics
  }

  /**
   * Spends `n` of the client's tokens; when it has fewer, sets `Retry-After`
   * on `reply`, counts the refusal under the request's route pattern, and
   * throws `ERR_RATE_LIMITED` (429).
   */
  take (request: FastifyRequest, reply: FastifyReply, n = 1): void {
    if (this.#buckets.take(request.ip, n)) return
    // A request larger than the whole burst never fits: its wait is a full minute.
    const waitMs = n > this.#perMinute ? 60_000 : this.#buckets.waitMs(request.ip, n)
    void reply.header('retry-after', String(Math.max(1, Math.ceil(waitMs / 1000))))
    this.#metrics.http.rateLimited.inc({ route: request.routeOptions.url ?? 'unmatched' })
    throw apiError(ERR_RATE_LIMITED, `more than ${this.#perMinute} ${this.#what} a minute from this address`)
  }
}
