/**
 * A node host that dies under a run (not the `crash` strategy's own SIGKILL)
 * ends the run at once with what happened to it, instead of the run waiting
 * out its deadlines and then failing with a bare "fetch failed".
 */
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { resolveScenario } from '../../sim/library.ts'
import { runScenario } from '../../sim/runner.ts'

/** Pids of this process's children that run a node host. */
function hostChildren (): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (parent === process.pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('sim/node-host.ts')) pids.push(Number(entry))
    } catch {}
  }
  return pids
}

describe('simulation runner', () => {
  it('names the node host that died under the run, and how, once it is gone', async () => {
    const s = resolveScenario('honest')
    // A deadline far beyond the run: before, the runner waited it out.
    const scenario = { ...s, jobs: { ...s.jobs, count: 1, deadlineMs: 180_000 }, nodesPerProcess: 8 }
    let killed = 0
    const run = runScenario(scenario, {
      graceMs: 30_000,
      onProgress: (line) => {
        if (killed === 0 && line.startsWith('job 1/1 submitted')) {
          for (const pid of hostChildren()) { process.kill(pid, 'SIGKILL'); killed++ }
        }
      }
    })
    await expect(run).rejects.toThrow(/node host of 4 nodes exited on SIGKILL during the run/)
    expect(killed).toBe(1)
  }, 240_000)
})
