/**
 * Error codes of the HTTP API and the mapping from a {@link TrustEngineError}
 * code to an HTTP status.
 *
 * Every error response is `{ "error": { "code", "message" } }` (plus `issues`
 * for schema errors). The code is stable and is what clients act on; the
 * status says who is at fault (4xx: the request, 5xx: the node).
 */
import { TrustEngineError } from '../../protocol/errors.ts'

/** The request body is not valid JSON (or is empty where JSON is required). */
export const ERR_BAD_JSON = 'ERR_BAD_JSON'
/** The request does not match the route's schema (body, path or query). */
export const ERR_BAD_REQUEST = 'ERR_BAD_REQUEST'
/** The request body exceeds the route's size limit. */
export const ERR_TOO_LARGE = 'ERR_TOO_LARGE'
/** No route has this path. */
export const ERR_NOT_FOUND = 'ERR_NOT_FOUND'
/** A route has this path, but not for this method. */
export const ERR_METHOD_NOT_ALLOWED = 'ERR_METHOD_NOT_ALLOWED'
/** The route needs `Authorization: Bearer <token>` and the token is missing or wrong. */
export const ERR_UNAUTHORIZED = 'ERR_UNAUTHORIZED'
/** The request's content type is not the one the route reads. */
export const ERR_UNSUPPORTED_MEDIA_TYPE = 'ERR_UNSUPPORTED_MEDIA_TYPE'
/** A job names a blob this node does not hold (upload it first with `POST /v1/blobs`). */
export const ERR_BLOB_UNKNOWN = 'ERR_BLOB_UNKNOWN'
/** No job with this id is known to the node. */
export const ERR_JOB_NOT_FOUND = 'ERR_JOB_NOT_FOUND'
/** The job exists but has no certificate (not final yet, or disputed). */
export const ERR_CERTIFICATE_NOT_READY = 'ERR_CERTIFICATE_NOT_READY'
/** No economy schedule with this id is known to the node. */
export const ERR_SCHEDULE_NOT_FOUND = 'ERR_SCHEDULE_NOT_FOUND'
/** An unexpected failure inside the node; details are not sent to the client. */
export const ERR_INTERNAL = 'ERR_INTERNAL'
/** `startApi` was asked to bind a non-loopback address without a token. */
export const ERR_API_TOKEN_REQUIRED = 'ERR_API_TOKEN_REQUIRED'
/** `startApi` options are malformed (port, limits). */
export const ERR_API_OPTIONS = 'ERR_API_OPTIONS'

/**
 * HTTP status of each known code. Codes of the API itself and the codes the
 * node's public API is documented to throw; see {@link statusOfCode} for the
 * rest.
 */
export const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  [ERR_BAD_JSON]: 400,
  [ERR_BAD_REQUEST]: 400,
  [ERR_BLOB_UNKNOWN]: 400,
  [ERR_UNAUTHORIZED]: 401,
  [ERR_NOT_FOUND]: 404,
  [ERR_JOB_NOT_FOUND]: 404,
  [ERR_CERTIFICATE_NOT_READY]: 404,
  [ERR_SCHEDULE_NOT_FOUND]: 404,
  [ERR_METHOD_NOT_ALLOWED]: 405,
  [ERR_TOO_LARGE]: 413,
  [ERR_UNSUPPORTED_MEDIA_TYPE]: 415,
  [ERR_INTERNAL]: 500,
  // Codes the node can answer a job request or a blob upload with
  // (protocol/job.ts, protocol/decode.ts, node/job/errors.ts, node/p2p/errors.ts).
  ERR_SCHEMA: 400,
  ERR_JOB_DEADLINE: 400,
  ERR_WRONG_NETWORK: 400,
  ERR_UNSUPPORTED_KIND: 400,
  ERR_BLOB_TOO_LARGE: 413,
  // Economy deferral (node/economy/errors.ts): a well-formed request no slot can satisfy is 422;
  // a node whose queue of waiting schedules is full is 503 (retry later).
  ERR_SCHEDULE_DEADLINE_UNREACHABLE: 422,
  ERR_SCHEDULE_OVER_BUDGET: 422,
  ERR_SCHEDULE_NOT_ECONOMY: 400,
  ERR_SCHEDULE_QUEUE_FULL: 503,
  // This node's key is not a validator of the network, so it cannot announce jobs.
  ERR_NOT_VALIDATOR: 403,
  ERR_UNKNOWN_SIGNER: 403,
  // The node is stopping: its store or host is closed.
  ERR_STORE_CLOSED: 503,
  ERR_HOST_STOPPED: 503
}

/**
 * HTTP status for a TrustEngineError code: the table first, then the code's
 * shape (`…_NOT_FOUND`/`…_UNKNOWN` → 404 or 400, `ERR_SCENE_…`/`ERR_RENDER_…`,
 * `ERR_BAD_…`/`…_INVALID`/
 * `…_UNSUPPORTED` → 400, `…_TOO_LARGE` → 413), otherwise 500. The fallbacks
 * keep a refused input a 4xx even when the node adds a code this table does
 * not list yet.
 */
export function statusOfCode (code: string): number {
  const known = STATUS_BY_CODE[code]
  if (known !== undefined) return known
  if (code.endsWith('_NOT_FOUND')) return 404
  if (code.endsWith('_TOO_LARGE')) return 413
  // A scene the optimizer or renderer refuses is the client's input.
  if (code.startsWith('ERR_SCENE_') || code.startsWith('ERR_RENDER_')) return 400
  if (code.startsWith('ERR_BAD_') || code.endsWith('_INVALID') || code.endsWith('_UNSUPPORTED') || code.endsWith('_UNKNOWN')) return 400
  return 500
}

/** One schema problem: the dotted path of the offending field and what is wrong. */
export interface ApiIssue {
  path: string
  message: string
}

/** Body of every error response. */
export interface ApiErrorBody {
  error: { code: string, message: string, issues?: ApiIssue[] }
}

/** An error the API answers with `status`; thrown inside route handlers. */
export function apiError (code: string, message: string, issues?: ApiIssue[]): TrustEngineError {
  return new TrustEngineError(code, message, issues === undefined ? {} : { details: { issues } })
}

/** Fastify's own error codes, and the code and message the API answers instead. */
const FASTIFY_CODES: Readonly<Record<string, readonly [string, string]>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [ERR_TOO_LARGE, 'request body is larger than this route accepts'],
  FST_ERR_CTP_INVALID_JSON_BODY: [ERR_BAD_JSON, 'request body is not valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [ERR_BAD_JSON, 'request body is empty; JSON expected'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [ERR_UNSUPPORTED_MEDIA_TYPE, 'this route does not read this content type'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [ERR_BAD_REQUEST, 'content-length does not match the body'],
  FST_ERR_BAD_URL: [ERR_BAD_REQUEST, 'the URL is not validly percent-encoded'],
  FST_ERR_ASYNC_CONSTRAINT: [ERR_BAD_REQUEST, 'the request does not satisfy the route constraints']
}

/**
 * Turns anything a handler or fastify threw into a status and an error body.
 * Unexpected errors become 500 `ERR_INTERNAL` without their message, so no
 * internal detail (paths, stack) reaches a client.
 */
export function toErrorResponse (err: unknown): { status: number, body: ApiErrorBody } {
  if (err instanceof TrustEngineError) {
    const issues = err.details?.issues as ApiIssue[] | undefined
    const error: ApiErrorBody['error'] = { code: err.code, message: err.message }
    if (Array.isArray(issues)) error.issues = issues
    return { status: statusOfCode(err.code), body: { error } }
  }
  const fst = err as { code?: unknown, statusCode?: unknown, message?: unknown }
  if (typeof fst.code === 'string') {
    const known = FASTIFY_CODES[fst.code]
    if (known !== undefined) return { status: statusOfCode(known[0]), body: { error: { code: known[0], message: known[1] } } }
  }
  if (typeof fst.statusCode === 'number' && fst.statusCode >= 400 && fst.statusCode < 500) {
    return { status: fst.statusCode, body: { error: { code: ERR_BAD_REQUEST, message: 'bad request' } } }
  }
  return { status: 500, body: { error: { code: ERR_INTERNAL, message: 'internal error' } } }
}
