/**
 * Times a restarted node's first own vote: follows its event stream
 * (`GET /v1/events`) and resolves with the milliseconds from `since` to the
 * first `vote` event whose voter is the node itself, or null when `signal`
 * aborts first (the next kill, or the end of the run) or the stream breaks.
 */
import { readEvents } from '../../node/cli/event-stream-client.ts'

/** Resolves with the delay from `since` to the node's first own vote, or null. */
export async function firstOwnVote (apiUrl: string, publicKey: string, since: number, signal: AbortSignal): Promise<number | null> {
  try {
    for await (const e of readEvents(apiUrl, { signal })) {
      const data = e.data as { voter?: unknown }
      if (e.event === 'vote' && data.voter === publicKey) return Date.now() - since
    }
  } catch {}
  return null
}
