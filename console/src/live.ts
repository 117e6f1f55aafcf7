/**
 * The node's event stream (`GET /v1/events`) as one shared EventSource: pages
 * subscribe to events by name; the connection state (connected, or
 * disconnected while the browser retries) is shown in the header. After a
 * reconnection every subscriber gets a `reconnected` call, so pages re-read
 * what they show (the stream does not replay).
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'

type Listener = (data: any) => void
const listeners = new Map<string, Set<Listener>>()
let source: EventSource | null = null
let connected = false
const stateListeners = new Set<(c: boolean) => void>()

function dispatch (event: string, data: unknown): void {
  for (const l of listeners.get(event) ?? []) l(data)
}

function ensure (): void {
  if (source !== null) return
  source = new EventSource('/v1/events')
  let wasConnected = false
  source.addEventListener('hello', () => {
    if (wasConnected) dispatch('reconnected', {})
    wasConnected = true
    connected = true
    for (const l of stateListeners) l(true)
  })
  source.onerror = () => {
    connected = false
    for (const l of stateListeners) l(false)
  }
  for (const name of ['job', 'vote', 'evidence']) {
    source.addEventListener(name, (e) => { dispatch(name, JSON.parse((e as MessageEvent<string>).data)) })
  }
}

/** Calls `listener` for each event `name` (`job`, `vote`, `evidence`, `reconnected`) while the component is mounted. */
export function useEvent (name: string, listener: Listener, deps: unknown[] = []): void {
  useEffect(() => {
    ensure()
    let set = listeners.get(name)
    if (set === undefined) { set = new Set(); listeners.set(name, set) }
    set.add(listener)
    return () => { set.delete(listener) }
  }, deps)
}

/** True while the event stream is connected. */
export function useConnected (): boolean {
  const [c, setC] = useState(connected)
  useEffect(() => {
    ensure()
    stateListeners.add(setC)
    setC(connected)
    return () => { stateListeners.delete(setC) }
  }, [])
  return c
}

/**
 * `fn`, run at most once every `ms` while the component is mounted: a call
 * within `ms` of the last run is put off to the end of the interval, and the
 * calls meanwhile fold into it, so the last call is always followed by a run.
 * For re-reads driven by events, which come by the hundred a second on a
 * large network (a vote event per validator), while the node limits each
 * client's reads (`readsPerMinute`, docs/api.md).
 */
export function useThrottled (fn: () => void, ms: number): () => void {
  const state = useRef<{ fn: () => void, last: number, timer: ReturnType<typeof setTimeout> | null }>({ fn, last: -Infinity, timer: null })
  state.current.fn = fn
  useEffect(() => () => { if (state.current.timer !== null) clearTimeout(state.current.timer) }, [])
  return useCallback(() => {
    const s = state.current
    if (s.timer !== null) return
    const run = (): void => { s.timer = null; s.last = Date.now(); s.fn() }
    const wait = s.last + ms - Date.now()
    if (wait <= 0) run()
    else s.timer = setTimeout(run, wait)
  }, [ms])
}
