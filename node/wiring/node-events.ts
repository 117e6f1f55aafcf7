/**
 * The node's live events (`NodeEvents`: jobs accepted and final, votes,
 * evidence, economy slots) on one emitter, which the API's event stream and
 * the console follow.
 */
import { EventEmitter } from 'node:events'
import { type Vote, decodeVote } from '../../protocol/vote.ts'
import type { NodeEvents } from '../node-api.ts'

/** The node's event emitter, typed by {@link NodeEvents}. */
export class NodeEventBus {
  readonly #emitter = new EventEmitter()

  /** Announces `payload` to the listeners of `event`. */
  emit<E extends keyof NodeEvents> (event: E, payload: NodeEvents[E]): void {
    this.#emitter.emit(event, payload)
  }

  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof NodeEvents> (event: E, listener: (payload: NodeEvents[E]) => void): () => void {
    this.#emitter.on(event, listener)
    return () => { this.#emitter.off(event, listener) }
  }

  /** Announces a vote the engine took in (for live views). */
  vote (v: Vote): void {
    this.emit('job:vote', { jobId: v.jobId, voter: v.voter, round: v.round })
  }

  /** Announces a vote this node published, from its bytes; bytes it cannot decode are not announced. */
  voteBytes (data: Uint8Array): void {
    try {
      this.vote(decodeVote(data))
    } catch {}
  }
}
