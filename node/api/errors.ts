/**
 * Error codes of the HTTP API and the mapping from a {@link TrustEngineError}
 * code to an HTTP status.
 *
 * Every error response is `{ "error": { "code", "message" } }` (plus `issues`
 * for schema errors). The code is stable and is what clients act on; the
 * status says who is at fault (4xx: the request, 5xx: the node); each code
 * declares its status where it is defined.
 */
import { TrustEngineError, codeDeclaration, declareCode } from '../../protocol/errors.ts'
// Modules whose codes can reach a client, loaded here so their declarations are known
// even when the code comes back from a worker thread (test/node/api/declared-codes.test.ts
// checks a node process knows every code of protocol/ and node/ but the CLI's).
import '../config/config-file.ts'
import '../measure/errors.ts'
import '../optimizer/errors.ts'
import '../render/errors.ts'
import '../economy/errors.ts'
import '../job/errors.ts'
import '../p2p/errors.ts'
import '../store/errors.ts'
import '../evidence/errors.ts'
import '../wiring/work-errors.ts'
import '../../protocol/job.ts'
import '../../protocol/decode.ts'

/** The request body is not valid JSON (or is empty where JSON is required). */
export const ERR_BAD_JSON = declareCode('ERR_BAD_JSON', { status: 400 })
/** The request does not match the route's schema (body, path or query). */
export const ERR_BAD_REQUEST = declareCode('ERR_BAD_REQUEST', { status: 400 })
/** The request body exceeds the route's size limit. */
export const ERR_TOO_LARGE = declareCode('ERR_TOO_LARGE', { action: 'reject', status: 413 })
/** No route has this path. */
export const ERR_NOT_FOUND = declareCode('ERR_NOT_FOUND', { status: 404 })
/** A route has this path, but not for this method. */
export const ERR_METHOD_NOT_ALLOWED = declareCode('ERR_METHOD_NOT_ALLOWED', { status: 405 })
/** The route needs `Authorization: Bearer <token>` and the token is missing or wrong. */
export const ERR_UNAUTHORIZED = declareCode('ERR_UNAUTHORIZED', { status: 401 })
/** The request's content type is not the one the route reads. */
export const ERR_UNSUPPORTED_MEDIA_TYPE = declareCode('ERR_UNSUPPORTED_MEDIA_TYPE', { status: 415 })
/** A job names a blob this node does not hold (upload it first with `POST /v1/blobs`). */
export const ERR_BLOB_UNKNOWN = declareCode('ERR_BLOB_UNKNOWN', { status: 400 })
/** No job with this id is known to the node. */
export const ERR_JOB_NOT_FOUND = declareCode('ERR_JOB_NOT_FOUND', { status: 404 })
/** The job exists but has no certificate (not final yet, or disputed). */
export const ERR_CERTIFICATE_NOT_READY = declareCode('ERR_CERTIFICATE_NOT_READY', { status: 404 })
/** No validator of this node's network has this public key. */
export const ERR_VALIDATOR_NOT_FOUND = declareCode('ERR_VALIDATOR_NOT_FOUND', { status: 404 })
/** No economy schedule with this id is known to the node. */
export const ERR_SCHEDULE_NOT_FOUND = declareCode('ERR_SCHEDULE_NOT_FOUND', { status: 404 })
/** More event streams (`GET /v1/events`) are open than the node serves at once. */
export const ERR_EVENTS_BUSY = declareCode('ERR_EVENTS_BUSY', { status: 503 })
/** An unexpected failure inside the node; details are not sent to the client. */
export const ERR_INTERNAL = declareCode('ERR_INTERNAL', { status: 500 })
/** The request did not arrive within the request timeout (answered by the HTTP server itself). */
export const ERR_REQUEST_TIMEOUT = declareCode('ERR_REQUEST_TIMEOUT', { status: 408 })
/** The request line and headers exceed the HTTP server's limit (16 KiB). */
export const ERR_HEADERS_TOO_LARGE = declareCode('ERR_HEADERS_TOO_LARGE', { status: 431 })
/**
 * A request to an API bound to loopback whose `Host` header names another host:
 * a web page whose name was rebound to 127.0.0.1 (DNS rebinding), refused so it
 * cannot read the node or make it sign jobs.
 */
export const ERR_HOST_NOT_ALLOWED = declareCode('ERR_HOST_NOT_ALLOWED', { status: 403 })
/** A path parameter longer than the router accepts. */
export const ERR_PARAM_TOO_LONG = declareCode('ERR_PARAM_TOO_LONG', { status: 400 })
/** Too many uploads, upload bytes, job submissions or schedule cancellations, or reads, from one client address in a minute (node/api/rate-limit.ts). */
export const ERR_RATE_LIMITED = declareCode('ERR_RATE_LIMITED', { status: 429 })
/** The blob uploads being received already hold the node's bound of bytes in memory (`maxUploadBytesInFlight`); retry shortly. */
export const ERR_UPLOADS_BUSY = declareCode('ERR_UPLOADS_BUSY', { status: 503 })
/** `startApi` was asked to bind a non-loopback address without a token. */
export const ERR_API_TOKEN_REQUIRED = declareCode('ERR_API_TOKEN_REQUIRED', { status: 400 })
/** `startApi` options are malformed (port, limits). */
export const ERR_API_OPTIONS = declareCode('ERR_API_OPTIONS', { status: 400 })

/**
 * HTTP status for a TrustEngineError code: the status its module declared
 * with it (`declareCode`, protocol/errors.ts), 500 for an undeclared code.
 */
export function statusOfCode (code: string): number {
  return codeDeclaration(code).status
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
