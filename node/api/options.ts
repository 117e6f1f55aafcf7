/**
 * Options of the HTTP API, their defaults, and the checks made once before
 * the server starts.
 */
import { isIP } from 'node:net'
import { TrustEngineError } from '../../protocol/errors.ts'
import { MAX_BLOB_BYTES } from '../../protocol/constants.ts'
import { ERR_API_OPTIONS, ERR_API_TOKEN_REQUIRED } from './errors.ts'
import { DEFAULT_EVENT_STREAM_OPTIONS, type EventStreamOptions } from './event-stream.ts'

/** Options of {@link startApi} (see `node/api/server.ts`). */
export interface ApiOptions {
  /** Address to bind. Anything but a loopback address requires `token`. */
  host: string
  /** TCP port; 0 picks a free one (the URL returned by `startApi` has the real port). */
  port: number
  /**
   * Bearer token for the writing routes (`POST /v1/blobs`, `POST /v1/jobs`).
   * When set, those routes need `Authorization: Bearer <token>` on any host;
   * when unset, they are open, which is only allowed on a loopback host.
   */
  token: string | undefined
  /** Largest JSON request body, in bytes. */
  bodyLimit: number
  /** Largest blob accepted by `POST /v1/blobs`, in bytes. */
  maxBlobBytes: number
  /** Time allowed to receive a whole request, in ms (bounds slow uploads). */
  requestTimeoutMs: number
  /** Largest `limit` accepted by the list routes (`/v1/jobs`, `/v1/audit`). */
  maxListLimit: number
  /**
   * Writing requests other than uploads (`POST /v1/jobs`, `DELETE
   * /v1/schedules/:id`) accepted per minute from one client address, a
   * burst of as many; more answer 429 `ERR_RATE_LIMITED` with `Retry-After`.
   */
  writesPerMinute: number
  /**
   * Reading requests (`GET` and `HEAD` of every route but `/healthz` and
   * `/metrics`, the event stream's opening included) accepted per minute from
   * one client address, a burst of as many; more answer 429
   * `ERR_RATE_LIMITED` with `Retry-After`.
   */
  readsPerMinute: number
  /** Blob uploads accepted per minute from one client address (burst of as many); more answer 429. */
  uploadsPerMinute: number
  /** Blob bytes accepted per minute from one client address (by Content-Length); more answer 429. */
  uploadBytesPerMinute: number
  /**
   * Bytes of blob uploads being received at once, all clients together (by
   * Content-Length; an upload without one counts as `maxBlobBytes`), since each
   * is held whole in memory until stored; more answer 503 `ERR_UPLOADS_BUSY`.
   * At least `maxBlobBytes`.
   */
  maxUploadBytesInFlight: number
  /** Connections open at once, all clients together; a connection beyond is closed at once (Node's `server.maxConnections`). */
  maxConnections: number
  /** Connections open at once from one client address; a connection beyond is closed at once (node/api/connection-limit.ts). */
  maxConnectionsPerClient: number
  /** Server-sent events (`GET /v1/events`): clients, per-client buffer, heartbeat. */
  events: EventStreamOptions
}

/** Defaults of {@link ApiOptions}. */
export const DEFAULT_API_OPTIONS: ApiOptions = {
  // Loopback: an API that can create jobs is never exposed by accident.
  host: '127.0.0.1',
  // 7700: unassigned by IANA and outside the ephemeral range; `network init`
  // uses its own base (17100 + k) so several local nodes do not collide.
  port: 7700,
  token: undefined,
  // A job request lists at most 2 × 256 sha256 hashes (MAX_JOB_BLOBS per
  // side in protocol/constants.ts, ~34 KiB of JSON); 64 KiB leaves room for
  // whitespace and options, and equals the gossip limit MAX_MESSAGE_BYTES.
  bodyLimit: 64 * 1024,
  // The blob protocol's limit too (protocol/constants.ts says why).
  maxBlobBytes: MAX_BLOB_BYTES,
  // A 64 MiB upload at 1 MB/s takes about 64 s; twice that bounds a slow client.
  requestTimeoutMs: 120_000,
  // 1000 audit entries or job views of a few KiB each: a few MiB of JSON at most.
  maxListLimit: 1000,
  // A job makes every validator of the network fetch its blobs and measure it: two submissions a second
  // from one client, a burst of 120, is more than any client of the soak, the simulation or the console
  // sends, and bounds what one address can make the whole network do.
  writesPerMinute: 120,
  // Twenty reads a second from one client, a burst of 1200: the project's own clients, which all read a node from one
  // address, needed at most 476 a minute (measured: a test's polls) and 960 (counted: the simulation's four jobs read
  // every 250 ms); the tests' fastest polls (every 20 ms) last seconds, within the burst. docs/bounds.md, "HTTP API".
  readsPerMinute: 1200,
  // A frames job uploads at most 2 × 256 blobs (MAX_JOB_BLOBS per side); 600 a minute is a few such jobs.
  uploadsPerMinute: 600,
  // 16 of the largest blobs (64 MiB) a minute: about 17 MB/s, a fast LAN client; disk fills no faster.
  uploadBytesPerMinute: 1024 * 1024 * 1024,
  // Four of the largest blobs at once: clients upload one file after another (node/cli/upload.ts, the console),
  // and a burst of clients costs the node this much memory at most, not their number times 64 MiB.
  maxUploadBytesInFlight: 4 * MAX_BLOB_BYTES,
  // Node's own default is unbounded. 64 event streams, a few consoles and CLIs, uploads and scrapes fit many times;
  // a client opening thousands of idle connections no longer holds a socket and its buffers for each.
  maxConnections: 1024,
  // A console tab holds an event stream and a request or two, the CLI one connection, a scraper one: 64 from one
  // address is many clients behind one NAT, and one address holding idle connections leaves 960 to the others.
  maxConnectionsPerClient: 64,
  // See DEFAULT_EVENT_STREAM_OPTIONS (node/api/event-stream.ts).
  events: DEFAULT_EVENT_STREAM_OPTIONS
}

/** True when `host` names a loopback address (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost (host: string): boolean {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  if (h === 'localhost' || h === '::1') return true
  if (isIP(h) === 4) return h.startsWith('127.')
  if (h.toLowerCase().startsWith('::ffff:')) return h.slice(7).startsWith('127.')
  return false
}

/**
 * Merges `options` over the defaults and checks them: numbers in range, and a
 * token whenever the host is not loopback (`ERR_API_TOKEN_REQUIRED`).
 */
export function resolveApiOptions (options: Partial<ApiOptions> = {}): ApiOptions {
  const opts: ApiOptions = { ...DEFAULT_API_OPTIONS }
  for (const [k, v] of Object.entries(options)) {
    if (v !== undefined) (opts as unknown as Record<string, unknown>)[k] = v
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    throw new TrustEngineError(ERR_API_OPTIONS, 'port must be an integer in [0, 65535]')
  }
  for (const key of ['bodyLimit', 'maxBlobBytes', 'requestTimeoutMs', 'maxListLimit', 'writesPerMinute', 'readsPerMinute', 'uploadsPerMinute', 'uploadBytesPerMinute', 'maxUploadBytesInFlight', 'maxConnections', 'maxConnectionsPerClient'] as const) {
    if (!Number.isSafeInteger(opts[key]) || opts[key] <= 0) throw new TrustEngineError(ERR_API_OPTIONS, `${key} must be a positive integer`)
  }
  if (opts.maxUploadBytesInFlight < opts.maxBlobBytes) throw new TrustEngineError(ERR_API_OPTIONS, 'maxUploadBytesInFlight must be at least maxBlobBytes')
  opts.events = { ...DEFAULT_EVENT_STREAM_OPTIONS, ...Object.fromEntries(Object.entries(opts.events ?? {}).filter(([, v]) => v !== undefined)) }
  for (const key of ['maxClients', 'maxBufferedBytes', 'heartbeatMs'] as const) {
    if (!Number.isSafeInteger(opts.events[key]) || opts.events[key] <= 0) throw new TrustEngineError(ERR_API_OPTIONS, `events.${key} must be a positive integer`)
  }
  if (typeof opts.host !== 'string' || opts.host.length === 0) throw new TrustEngineError(ERR_API_OPTIONS, 'host must be a non-empty string')
  if (opts.token !== undefined && (typeof opts.token !== 'string' || opts.token.length === 0)) {
    throw new TrustEngineError(ERR_API_OPTIONS, 'token must be a non-empty string when given')
  }
  if (opts.token === undefined && !isLoopbackHost(opts.host)) {
    throw new TrustEngineError(ERR_API_TOKEN_REQUIRED, `binding the API to ${opts.host} (not loopback) requires a token`)
  }
  return opts
}
