/**
 * The crash loop's convergence check at the end, on each job's status on
 * each node (`validated` or `rejected` when final, else the status and why
 * it is not final). Every honest node must hold every job final with one
 * status, and a job of the load its designed one. The liar is held only to
 * what it reports final, which must be the honest nodes' verdict: honest
 * peers hang up on it and ban it for its lies (docs/networking.md,
 * "Penalties and disconnection"), so by design it misses the jobs announced
 * while it is banned, and those it knew may reach their deadline there.
 */

/** A node as the check sees it. */
export interface ConvergenceNode {
  name: string
  liar: boolean
}

/** What the check found: a line per failed job, and the jobs the liar does not hold final. */
export interface ConvergenceResult {
  failures: string[]
  /** Jobs final with one verdict on every honest node, and the same on the liar where it holds them final. */
  decided: number
  /** Jobs the liar does not know or holds not final (not a failure, see the module's comment). */
  liarNotFinal: number
}

/**
 * Judges `statuses` (job id to node name to status) over `nodes`;
 * `expected` holds the designed verdict of the load's jobs (a job missing
 * there is one whose submission a kill cut, announced all the same).
 */
export function checkConvergence (statuses: ReadonlyMap<string, Readonly<Record<string, string>>>, nodes: readonly ConvergenceNode[], expected: ReadonlyMap<string, string>): ConvergenceResult {
  const failures: string[] = []
  let liarNotFinal = 0
  let decided = 0
  const honest = nodes.filter((n) => !n.liar)
  const final = (s: string | undefined): boolean => s === 'validated' || s === 'rejected'
  for (const [jobId, s] of statuses) {
    const want = expected.get(jobId)
    const line = (): string => `job ${jobId.slice(0, 12)}${want === undefined ? ' (not the load\'s: its submission was cut by a kill)' : ''}: ${nodes.map((n) => `${n.name}=${s[n.name] ?? 'unknown'}`).join(' ')}`
    const distinct = new Set(honest.map((n) => s[n.name]))
    const verdict = [...distinct][0]
    if (distinct.size !== 1 || !final(verdict)) {
      failures.push(line())
      continue
    }
    const liarDiffers = nodes.some((n) => n.liar && final(s[n.name]) && s[n.name] !== verdict)
    if (liarDiffers) {
      failures.push(line())
      continue
    }
    decided++
    if (want !== undefined && verdict !== want) failures.push(`job ${jobId.slice(0, 12)}: final ${verdict!} on every honest node, designed ${want}`)
    liarNotFinal += nodes.filter((n) => n.liar && !final(s[n.name])).length
  }
  return { failures, decided, liarNotFinal }
}
