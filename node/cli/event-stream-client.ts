/**
 * A client of a node's server-sent events (`GET /v1/events`,
 * node/api/event-stream.ts) for the command line: connects, parses the
 * stream (bounded: an event larger than `maxEventBytes` ends it with
 * `ERR_API_RESPONSE`) and yields each event with its JSON data.
 */
import { TrustEngineError } from '../../protocol/errors.ts'
import { ERR_API_RESPONSE, ERR_API_UNREACHABLE } from './api-client.ts'

/** One event of the stream. */
export interface StreamEvent {
  event: string
  data: unknown
}

/** Largest event read, in bytes: the node's events are a few hundred bytes. */
export const MAX_EVENT_BYTES = 256 * 1024

/**
 * Splits server-sent event text into events (the WHATWG parsing rules for
 * `event` and `data` fields; comments, `id` and `retry` are skipped).
 */
export class SseParser {
  #buffer = ''
  #event = ''
  #data: string[] = []
  readonly #maxBytes: number

  constructor (maxBytes = MAX_EVENT_BYTES) {
    this.#maxBytes = maxBytes
  }

  /** Takes a chunk of text; returns the events it completes. */
  push (text: string): Array<{ event: string, data: string }> {
    this.#buffer += text
    const out: Array<{ event: string, data: string }> = []
    let nl: number
    while ((nl = this.#buffer.search(/\r\n|\r|\n/)) !== -1) {
      const line = this.#buffer.slice(0, nl)
      this.#buffer = this.#buffer.slice(nl + (this.#buffer.startsWith('\r\n', nl) ? 2 : 1))
      if (line === '') {
        if (this.#data.length > 0) out.push({ event: this.#event === '' ? 'message' : this.#event, data: this.#data.join('\n') })
        this.#event = ''
        this.#data = []
        continue
      }
      if (line.startsWith(':')) continue
      const colon = line.indexOf(':')
      const field = colon === -1 ? line : line.slice(0, colon)
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
      if (field === 'event') this.#event = value
      else if (field === 'data') this.#data.push(value)
    }
    if (this.#buffer.length + this.#data.reduce((n, d) => n + d.length, 0) > this.#maxBytes) {
      throw new TrustEngineError(ERR_API_RESPONSE, `an event of the stream exceeds ${this.#maxBytes} bytes`)
    }
    return out
  }
}

/**
 * Opens `GET /v1/events` (of one job when `job` is given) and yields its
 * events until the stream ends or `signal` aborts. An error answer throws
 * the API's code (e.g. `ERR_NOT_FOUND` from a node without the route); a
 * connection failure throws `ERR_API_UNREACHABLE`.
 */
export async function * readEvents (baseUrl: string, options: { job?: string, signal: AbortSignal }): AsyncGenerator<StreamEvent> {
  const url = `${baseUrl.replace(/\/+$/, '')}/v1/events${options.job === undefined ? '' : `?job=${options.job}`}`
  let res: Response
  try {
    res = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: options.signal })
  } catch (err) {
    if (options.signal.aborted) return
    throw new TrustEngineError(ERR_API_UNREACHABLE, `GET ${url}: ${String((err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message)}`, { cause: err })
  }
  if (!res.ok || res.body === null) {
    let code: string = ERR_API_RESPONSE
    try {
      const body = JSON.parse((await res.text()).slice(0, 64 * 1024)) as { error?: { code?: unknown } }
      if (typeof body.error?.code === 'string' && /^ERR_[A-Z0-9_]{1,64}$/.test(body.error.code)) code = body.error.code
    } catch {}
    throw new TrustEngineError(code, `GET ${url}: HTTP ${res.status}`, { details: { status: res.status } })
  }
  const parser = new SseParser()
  const decoder = new TextDecoder()
  try {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      for (const e of parser.push(decoder.decode(chunk, { stream: true }))) {
        let data: unknown
        try { data = JSON.parse(e.data) } catch { throw new TrustEngineError(ERR_API_RESPONSE, `event ${e.event} of the stream is not JSON`) }
        yield { event: e.event, data }
      }
    }
  } catch (err) {
    if (options.signal.aborted) return
    if (err instanceof TrustEngineError) throw err
    throw new TrustEngineError(ERR_API_UNREACHABLE, `GET ${url}: the stream broke`, { cause: err })
  }
}
