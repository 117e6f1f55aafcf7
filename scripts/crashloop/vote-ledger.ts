/**
 * Every signed vote the crash loop has seen, from any node's store or
 * certificate at any time of the run, by voter, job and round. An honest
 * validator signs one vote per job and round, so two different signed votes
 * under one key for one job and round are a double signature, whoever
 * holds them and whenever they were read: a vote a node signed before a
 * kill and a different one it signed after its restart are caught even when
 * the second overwrote the first in its own store.
 */
import { canonicalEncode } from '../../protocol/canonical.ts'
import type { NetworkConfig } from '../../protocol/network.ts'
import { type Vote, verifyVote } from '../../protocol/vote.ts'

/** Two different signed votes of one validator for one job and round. */
export interface DoubleSignature {
  voter: string
  jobId: string
  round: number
  /** Where each different vote was seen first (e.g. `node2 store after kill 7`). */
  seenIn: string[]
}

/** The votes seen so far. */
export class VoteLedger {
  readonly #network: NetworkConfig
  /** voter:jobId:round → canonical encoding of each distinct signed vote → where it was seen first. */
  readonly #votes = new Map<string, Map<string, string>>()
  /** Votes whose signature or fields do not verify against the network file (a store holds only verified votes). */
  readonly invalid: Array<{ voter: string, jobId: string, round: number, seenIn: string, code: string }> = []
  #count = 0

  /** A ledger checking signatures against `network`. */
  constructor (network: NetworkConfig) {
    this.#network = network
  }

  /** Distinct signed votes seen. */
  get size (): number {
    return this.#count
  }

  /** Adds the votes read from `source`; each is verified against the network file first. */
  add (votes: readonly Vote[], source: string): void {
    for (const vote of votes) {
      try {
        verifyVote(vote, this.#network)
      } catch (err) {
        this.invalid.push({ voter: vote.voter, jobId: vote.jobId, round: vote.round, seenIn: source, code: String((err as { code?: unknown }).code ?? err) })
        continue
      }
      const key = `${vote.voter}:${vote.jobId}:${vote.round}`
      let distinct = this.#votes.get(key)
      if (distinct === undefined) this.#votes.set(key, distinct = new Map())
      const bytes = Buffer.from(canonicalEncode(vote)).toString('base64')
      if (!distinct.has(bytes)) {
        distinct.set(bytes, source)
        this.#count++
      }
    }
  }

  /** Every voter, job and round with more than one distinct signed vote. */
  doubleSignatures (): DoubleSignature[] {
    const out: DoubleSignature[] = []
    for (const [key, distinct] of this.#votes) {
      if (distinct.size < 2) continue
      const [voter, jobId, round] = key.split(':') as [string, string, string]
      out.push({ voter, jobId, round: Number(round), seenIn: [...distinct.values()] })
    }
    return out
  }
}
