/**
 * Server-sent events of a node (`GET /v1/events`): job status changes, votes
 * arriving and evidence stored, for live views (the console, `submit
 * --wait`). Each client has a bounded send buffer: a client that does not
 * read fast enough is dropped (it reconnects and re-reads the state it
 * needs), so a slow or stalled reader never holds the node's memory.
 *
 * Wire form (https://html.spec.whatwg.org/multipage/server-sent-events.html):
 *
 *     retry: 2000                  once, at the start
 *     event: hello                 once: { networkId, version, peerId }
 *     id: N / event: job           { jobId, status, final, reason, round, votes, values }
 *     id: N / event: vote          { jobId, voter, round }
 *     id: N / event: evidence      { jobId, round }
 *     : heartbeat                  a comment every `heartbeatMs`, so proxies and clients see a live stream
 *
 * Ids count up from 1 per node run; there is no replay (`Last-Event-ID` is
 * ignored): a client that reconnects reads the current state from the JSON
 * routes.
 */
import type { ServerResponse } from 'node:http'
import type { TrustEngineNodeApi } from '../node-api.ts'
import type { JobView } from '../types.ts'

/** Options of the event stream (part of the API options). */
export interface EventStreamOptions {
  /** Most clients connected at once; more are refused with 503 `ERR_EVENTS_BUSY`. */
  maxClients: number
  /** Most bytes waiting to be sent to one client; beyond, the client is dropped. */
  maxBufferedBytes: number
  /** Interval of the heartbeat comments, in ms. */
  heartbeatMs: number
}

/** Defaults of {@link EventStreamOptions}. */
export const DEFAULT_EVENT_STREAM_OPTIONS: Readonly<EventStreamOptions> = Object.freeze({
  // 64 consoles and waiting CLIs: a node is watched by its operators, not by the public.
  maxClients: 64,
  // 1 MiB: thousands of events (each a few hundred bytes), far more than a client that reads at all ever lags.
  maxBufferedBytes: 1024 * 1024,
  // 15 s: under the usual 30–60 s idle timeouts of proxies and load balancers.
  heartbeatMs: 15_000
})

/** The data of a `job` event: what a list needs; the whole view is at `GET /v1/jobs/:id`. */
export interface JobEventData {
  jobId: string
  kind: JobView['kind']
  status: JobView['status']
  final: boolean
  reason: string
  round: number
  votes: number
  values: JobView['values']
  /** The consensus caveats (what the renderer did not show; `[]` for none, null while there are no values). */
  caveats: JobView['caveats']
}

/** A `job` event's data from a job view. */
export function jobEventData (view: JobView): JobEventData {
  return { jobId: view.jobId, kind: view.kind, status: view.status, final: view.final, reason: view.reason, round: view.round, votes: view.votes.length, values: view.values, caveats: view.caveats }
}

/** The events a node's stream sends, by name. */
export interface StreamEvents {
  job: JobEventData
  vote: { jobId: string, voter: string, round: number }
  evidence: { jobId: string, round: number }
}

/** Where the stream's events come from: the node's event subscription. */
export type EventSource = Pick<TrustEngineNodeApi, 'on'>

interface Client {
  res: ServerResponse
  /** Only this job's events, when set. */
  job: string | undefined
}

/** Counters of a hub, for metrics and tests. */
export interface EventHubCounters {
  /** Clients dropped because their buffer passed `maxBufferedBytes`. */
  dropped: number
}

/** What a hub reports as it runs (for metrics). */
export interface EventHubReport {
  /** The number of connected clients changed. */
  clients?: (n: number) => void
  /** A client was dropped for its unsent bytes. */
  dropped?: () => void
}

/** Fans the node's events out to the connected stream clients. */
export class EventHub {
  readonly #options: EventStreamOptions
  readonly #clients = new Set<Client>()
  readonly #off: Array<() => void>
  readonly #timer: NodeJS.Timeout
  #nextId = 1
  readonly counters: EventHubCounters = { dropped: 0 }

  readonly #report: EventHubReport

  /** Subscribes to `source`'s events; {@link close} unsubscribes. `report` hears of clients coming, going and dropped (metrics). */
  constructor (source: EventSource, options: EventStreamOptions, report: EventHubReport = {}) {
    this.#options = options
    this.#report = report
    this.#off = [
      source.on('job:accepted', (view) => { this.publish('job', jobEventData(view)) }),
      source.on('job:final', (view) => { this.publish('job', jobEventData(view)) }),
      source.on('job:vote', (v) => { this.publish('vote', v) }),
      source.on('job:evidence', (e) => { this.publish('evidence', e) })
    ]
    this.#timer = setInterval(() => { for (const c of this.#clients) this.#write(c, ': heartbeat\n\n') }, options.heartbeatMs)
    this.#timer.unref()
  }

  /** Connected clients. */
  get clients (): number { return this.#clients.size }

  /** True when one more client may connect. */
  get hasRoom (): boolean { return this.#clients.size < this.#options.maxClients }

  /**
   * Starts the stream on `res` (the caller checked {@link hasRoom}) with the
   * `hello` event; with `job`, the client receives only that job's events.
   */
  attach (res: ServerResponse, hello: unknown, job?: string): void {
    const client: Client = { res, job }
    this.#clients.add(client)
    this.#report.clients?.(this.#clients.size)
    res.on('close', () => { this.#clients.delete(client); this.#report.clients?.(this.#clients.size) })
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no'
    })
    this.#write(client, `retry: 2000\nevent: hello\ndata: ${JSON.stringify(hello)}\n\n`)
  }

  /** Sends one event to every client it concerns. */
  publish<E extends keyof StreamEvents> (event: E, data: StreamEvents[E]): void {
    if (this.#clients.size === 0) return
    const text = `id: ${this.#nextId++}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`
    for (const c of this.#clients) if (c.job === undefined || c.job === data.jobId) this.#write(c, text)
  }

  /** Ends every stream and unsubscribes from the node. */
  close (): void {
    clearInterval(this.#timer)
    for (const off of this.#off) off()
    for (const c of this.#clients) c.res.end()
    this.#clients.clear()
    this.#report.clients?.(0)
  }

  #write (c: Client, text: string): void {
    if (c.res.destroyed) { this.#clients.delete(c); return }
    c.res.write(text)
    // writableLength: bytes Node holds because the socket would not take them; a reader that keeps up holds ~0.
    if (c.res.writableLength > this.#options.maxBufferedBytes) {
      this.counters.dropped++
      this.#report.dropped?.()
      this.#clients.delete(c)
      c.res.destroy()
    }
  }
}
