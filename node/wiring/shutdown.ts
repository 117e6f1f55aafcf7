/**
 * The order in which a node closes what it opened: each part registers how
 * it stops right after it started, and the node stops them in reverse (the
 * API first, then the economy, the job engine, the protocols, libp2p, the
 * workers, the blob keeper, LevelDB last). A start that fails half-way runs
 * the same list, so it leaves nothing open.
 */

/** A stack of stop steps, run last-in first-out. */
export class Shutdown {
  readonly #steps: Array<() => Promise<void>> = []

  /** Registers how to stop a part that just started. */
  defer (step: () => Promise<void> | void): void {
    this.#steps.push(async () => { await step() })
  }

  /** Runs every registered step, newest first; a step that fails does not keep the others from running. */
  async run (): Promise<void> {
    for (const step of this.#steps.reverse()) await step().catch(() => {})
    this.#steps.length = 0
  }
}
