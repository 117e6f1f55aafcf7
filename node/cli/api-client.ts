/**
 * A small client of a node's HTTP API (docs/api.md), used by the client
 * commands (`submit`, `status`). Every request has a timeout; every response
 * body is read up to a limit; an error response becomes a `TrustEngineError`
 * carrying the server's code, so the CLI prints the same code the API sent.
 */
import { TrustEngineError, declareCode } from '../../protocol/errors.ts'
import type { EconomyJobRequest, JobView, NodeInfo, ScheduleView, SubmitJobRequest } from '../types.ts'

/** Code of a node that could not be reached (connection refused, DNS, timeout). */
export const ERR_API_UNREACHABLE = declareCode('ERR_API_UNREACHABLE', { status: 503 })
/** Code of a response that is not what the API documents (not JSON, too large, no error code). */
export const ERR_API_RESPONSE = declareCode('ERR_API_RESPONSE', { status: 502 })

/** Options of {@link ApiClient}. */
export interface ApiClientOptions {
  /** Bearer token for the writing routes. */
  token: string | undefined
  /** Timeout of one request without a body to send, in ms. */
  requestTimeoutMs: number
  /** Timeout of one blob upload, in ms. */
  uploadTimeoutMs: number
  /** Largest response body read, in bytes. */
  maxResponseBytes: number
}

/** Defaults of {@link ApiClientOptions}. */
export const DEFAULT_API_CLIENT_OPTIONS: ApiClientOptions = {
  token: undefined,
  // A read route answers in milliseconds on a healthy node; 10 s means the node is stuck.
  requestTimeoutMs: 10_000,
  // The node allows 120 s to receive a request (DEFAULT_API_OPTIONS.requestTimeoutMs).
  uploadTimeoutMs: 120_000,
  // A job view with 1000 votes is under 1 MiB; a list of 1000 such views fits in 64 MiB.
  maxResponseBytes: 64 * 1024 * 1024
}

/** Client of one node's API. */
export class ApiClient {
  readonly baseUrl: string
  readonly options: ApiClientOptions

  /** `baseUrl` like `http://127.0.0.1:7700` (no trailing slash needed). */
  constructor (baseUrl: string, options: Partial<ApiClientOptions> = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '')
    this.options = { ...DEFAULT_API_CLIENT_OPTIONS, ...options }
  }

  /** `GET /v1/node`. */
  async info (): Promise<NodeInfo> {
    return await this.request('GET', '/v1/node') as NodeInfo
  }

  /** `GET /v1/network`: the network file the node runs with (as JSON, to be parsed with `parseNetwork`). */
  async network (): Promise<unknown> {
    return await this.request('GET', '/v1/network')
  }

  /** `POST /v1/blobs`: uploads bytes; returns their sha256 and size. */
  async uploadBlob (bytes: Uint8Array): Promise<{ sha256: string, size: number }> {
    return await this.request('POST', '/v1/blobs', { bytes, contentType: 'application/octet-stream' }) as { sha256: string, size: number }
  }

  /** `POST /v1/jobs`: creates a job from uploaded blobs. */
  async submitJob (request: SubmitJobRequest): Promise<JobView> {
    return await this.request('POST', '/v1/jobs', { bytes: new TextEncoder().encode(JSON.stringify(request)), contentType: 'application/json' }) as JobView
  }

  /**
   * `POST /v1/jobs` for a scene job without a candidate and with profile
   * `economy`: the node defers it and answers with the schedule.
   * `optimizeBy` is epoch ms or an ISO 8601 date-time with an offset.
   */
  async scheduleEconomyJob (request: Omit<EconomyJobRequest, 'optimizeBy'> & { optimizeBy?: number | string }): Promise<ScheduleView> {
    return await this.request('POST', '/v1/jobs', { bytes: new TextEncoder().encode(JSON.stringify(request)), contentType: 'application/json' }) as ScheduleView
  }

  /** `GET /v1/schedules?limit=N`: economy schedules, newest first. */
  async listSchedules (limit?: number): Promise<ScheduleView[]> {
    const body = await this.request('GET', `/v1/schedules${limit === undefined ? '' : `?limit=${limit}`}`) as { schedules: ScheduleView[] }
    return body.schedules
  }

  /** `DELETE /v1/schedules/:id`: cancels a schedule still waiting for its slot. */
  async cancelSchedule (scheduleId: string): Promise<ScheduleView> {
    return await this.request('DELETE', `/v1/schedules/${encodeURIComponent(scheduleId)}`) as ScheduleView
  }

  /** `GET /v1/schedules/:id`. */
  async getSchedule (scheduleId: string): Promise<ScheduleView> {
    return await this.request('GET', `/v1/schedules/${encodeURIComponent(scheduleId)}`) as ScheduleView
  }

  /** `GET /v1/jobs/:id`. */
  async getJob (jobId: string): Promise<JobView> {
    return await this.request('GET', `/v1/jobs/${encodeURIComponent(jobId)}`) as JobView
  }

  /** `GET /v1/jobs/:id/certificate`. */
  async getCertificate (jobId: string): Promise<unknown> {
    return await this.request('GET', `/v1/jobs/${encodeURIComponent(jobId)}/certificate`)
  }

  /** Sends one request and returns the parsed JSON body of a 2xx answer; throws the API's error code otherwise. */
  async request (method: 'GET' | 'POST' | 'DELETE', path: string, body?: { bytes: Uint8Array, contentType: string }): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (body !== undefined) headers['content-type'] = body.contentType
    if (this.options.token !== undefined) headers.authorization = `Bearer ${this.options.token}`
    const timeout = body !== undefined && body.contentType === 'application/octet-stream' ? this.options.uploadTimeoutMs : this.options.requestTimeoutMs
    const url = `${this.baseUrl}${path}`
    let res: Response
    try {
      res = await fetch(url, { method, headers, body: body?.bytes, signal: AbortSignal.timeout(timeout) })
    } catch (err) {
      const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${timeout} ms` : String((err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message)
      throw new TrustEngineError(ERR_API_UNREACHABLE, `${method} ${url}: ${reason}`, { cause: err })
    }
    const text = await readBounded(res, this.options.maxResponseBytes, `${method} ${url}`)
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      throw new TrustEngineError(ERR_API_RESPONSE, `${method} ${url}: answer ${res.status} is not JSON`, { details: { status: res.status } })
    }
    if (res.ok) return json
    const error = (json as { error?: { code?: unknown, message?: unknown } } | null)?.error
    if (typeof error?.code === 'string' && /^ERR_[A-Z0-9_]{1,64}$/.test(error.code)) {
      throw new TrustEngineError(error.code, `HTTP ${res.status}: ${String(error.message ?? '')}`, { details: { status: res.status } })
    }
    throw new TrustEngineError(ERR_API_RESPONSE, `${method} ${url}: HTTP ${res.status} without an error code`, { details: { status: res.status } })
  }
}

async function readBounded (res: Response, maxBytes: number, what: string): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN)
  if (declared > maxBytes) {
    await res.body?.cancel()
    throw new TrustEngineError(ERR_API_RESPONSE, `${what}: answer of ${declared} bytes exceeds ${maxBytes}`)
  }
  const chunks: Uint8Array[] = []
  let total = 0
  if (res.body !== null) {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      total += chunk.byteLength
      if (total > maxBytes) throw new TrustEngineError(ERR_API_RESPONSE, `${what}: answer exceeds ${maxBytes} bytes`)
      chunks.push(chunk)
    }
  }
  return Buffer.concat(chunks).toString('utf8')
}
