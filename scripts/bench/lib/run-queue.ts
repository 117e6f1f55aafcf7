/**
 * How long the threads of some processes ran on a CPU and how long they were
 * runnable but waited for one, from Linux's scheduler statistics per thread
 * (`/proc/<pid>/task/<tid>/schedstat`: nanoseconds on a CPU, nanoseconds
 * waiting on a run queue, time slices). A benchmark on a shared machine reads
 * them before and after a run to tell a pipeline that waits for something
 * (a timer, the disk, the network) from processes that wait for a CPU.
 */
import { readdirSync, readFileSync } from 'node:fs'

/** Scheduler times of some processes, in milliseconds. */
export interface SchedTimes {
  /** On a CPU, every thread of every process together. */
  runMs: number
  /** Runnable but waiting for a CPU, every thread of every process together. */
  waitMs: number
  /** Of which the main threads (the event loops), all processes together. */
  mainWaitMs: number
}

/** The thread's times in milliseconds, or null when it is gone (or the file does not exist). */
function threadTimes (pid: number, tid: string): { run: number, wait: number } | null {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')
    return { run: Number(run) / 1e6, wait: Number(wait) / 1e6 }
  } catch {
    return null
  }
}

/**
 * The scheduler times of the live threads of `pids` now, or null where the
 * system has no per-thread schedstat (not Linux, or scheduler statistics
 * off). A thread that ended between two readings takes its times with it,
 * so a difference of two readings is a lower bound.
 */
export function schedTimes (pids: number[]): SchedTimes | null {
  const out: SchedTimes = { runMs: 0, waitMs: 0, mainWaitMs: 0 }
  for (const pid of pids) {
    let tids: string[]
    try {
      tids = readdirSync(`/proc/${pid}/task`)
    } catch {
      return null
    }
    for (const tid of tids) {
      const t = threadTimes(pid, tid)
      if (t === null) continue
      out.runMs += t.run
      out.waitMs += t.wait
      if (tid === String(pid)) out.mainWaitMs += t.wait
    }
  }
  return out
}
