/**
 * `trust-engine submit`: uploads frames (or a scene) to a node's API, creates
 * a job, and optionally waits for its outcome.
 *
 *   trust-engine submit --reference A.png B.png --candidate A2.png B2.png [--wait]
 *   trust-engine submit SCENE.glb [--candidate OPT.glb] [--profile P]
 *   trust-engine submit SCENE.glb --profile economy [--optimize-by T] [--budget USD]   (deferred: prints the schedule)
 *
 * Exit codes: 0 job created (or, with --wait, final or disputed); 1 --wait
 * timed out; 2 error (the API's error code is printed).
 */
import type { Command } from 'commander'
import { TrustEngineError } from '../../../protocol/errors.ts'
import type { ApiClient } from '../api-client.ts'
import type { JobView, SubmitJobRequest } from '../../types.ts'
import { badArgs, parseIntArg, parseThresholds, resolveApiToken, resolveApiUrl } from '../args.ts'
import type { SubmitOptions } from '../submit-options.ts'
import { formatCaveats } from './status.ts'

export type { SubmitOptions }

/** Outcome of {@link submitJob}: the last job view and the exit code it means. */
export interface SubmitOutcome {
  exitCode: 0 | 1
  job: JobView
  timedOut: boolean
}

/** Defaults of the waiting part of `submit`. */
export const DEFAULT_SUBMIT_WAIT = {
  // Only when the node has no event stream (or it broke): a frames job on a LAN is final
  // in about a second; 250 ms keeps the wait short without loading the node (4 small GETs a second).
  pollMs: 250,
  // Twice the network's default vote deadline (30 s) plus fetching and
  // measuring time; a scene job with rendering takes longer, raise it then.
  timeoutMs: 120_000
} as const

/** True once the job needs nothing more from the network: validated, rejected or disputed. */
export function isSettled (job: JobView): boolean {
  return job.final || job.status === 'validated' || job.status === 'rejected' || job.status === 'disputed'
}

/**
 * Throws `ERR_JOB_THRESHOLDS` when `thresholds` (over the network's defaults,
 * as the node fills them in) are below the floor of the node's network file
 * (`minThresholds`), so that nothing is uploaded for a job the node would
 * refuse. Only a check ahead: a node that cannot tell its network file, or
 * one the protocol here cannot read, is left to judge the request itself
 * (it applies the same rule).
 */
export async function checkThresholdsAhead (client: ApiClient, thresholds: SubmitOptions['thresholds']): Promise<void> {
  if (thresholds === undefined) return
  const [{ parseNetwork }, { checkThresholdFloor }] = await Promise.all([import('../../../protocol/network.ts'), import('../../../protocol/job.ts')])
  let network
  try {
    network = parseNetwork(await client.network())
  } catch (err) {
    if (err instanceof TrustEngineError) return
    throw err
  }
  try {
    checkThresholdFloor(network, { ...network.thresholds, ...thresholds })
  } catch (err) {
    if (!(err instanceof TrustEngineError)) throw err
    const floor = network.minThresholds!
    throw new TrustEngineError(err.code, `--thresholds: ${err.message}; network ${network.networkId} accepts no job below SSIM ${floor.ssimMin}, PSNR ${floor.psnrMin} dB, local SSIM ${floor.ssimLocalMin} (nothing was uploaded)`, { details: err.details, cause: err })
  }
}

/**
 * Checks the thresholds against the network's floor ({@link checkThresholdsAhead}),
 * uploads the files, creates the job and, with `wait`, follows it until it
 * settles or `timeoutMs` passes (see `waitForJob`), reporting each upload on
 * `progress` and the job's progress (status, votes, time) on `status`.
 * Throws the API's `TrustEngineError` on any error answer.
 */
export async function submitJob (opts: SubmitOptions, progress: (line: string) => void = () => {}, status: (line: string) => void = () => {}): Promise<SubmitOutcome> {
  const [{ ApiClient }, { uploadFile }] = await Promise.all([import('../api-client.ts'), import('../upload.ts')])
  const client = new ApiClient(opts.api, { token: opts.token })
  await checkThresholdsAhead(client, opts.thresholds)
  const upload = async (path: string): Promise<string> => await uploadFile(client, path, progress)
  const request: SubmitJobRequest = { kind: opts.kind, reference: [], candidate: [] }
  for (const p of opts.reference) request.reference.push(await upload(p))
  for (const p of opts.candidate) request.candidate.push(await upload(p))
  if (opts.thresholds !== undefined) request.thresholds = opts.thresholds
  if (opts.deadlineMs !== undefined) request.deadlineMs = opts.deadlineMs
  if (opts.profile !== undefined) request.profile = opts.profile
  let job = await client.submitJob(request)
  progress(`job ${job.jobId} ${job.status}`)
  if (!opts.wait) return { exitCode: 0, job, timedOut: false }

  const deadline = performance.now() + opts.timeoutMs
  const waited = await waitForJob(client, opts.api, job, deadline, opts.pollMs, status)
  return { exitCode: waited.timedOut ? 1 : 0, job: waited.job, timedOut: waited.timedOut }
}

/**
 * Waits until `job` settles or `deadline` (a `performance.now()` time)
 * passes. It follows the node's event stream for the job (`GET
 * /v1/events?job=`), re-reading the job once the stream is open (so nothing
 * is missed between the submit and the subscription) and whenever an event
 * says it changed, and reports each vote on `status`. A node without the
 * stream, or a stream that breaks, is polled every `pollMs` instead.
 */
async function waitForJob (client: ApiClient, api: string, job: JobView, deadline: number, pollMs: number, status: (line: string) => void): Promise<{ job: JobView, timedOut: boolean }> {
  const { readEvents } = await import('../event-stream-client.ts')
  const started = performance.now()
  const voters = new Set<string>()
  const line = (what: string): void => {
    for (const v of job.votes) voters.add(v.voter)
    status(`job ${job.jobId.slice(0, 12)} ${what} · ${voters.size} vote${voters.size === 1 ? '' : 's'} · ${((performance.now() - started) / 1000).toFixed(1)} s`)
  }
  const abort = new AbortController()
  const timer = setTimeout(() => { abort.abort() }, Math.max(0, deadline - performance.now()))
  try {
    for await (const e of readEvents(api, { job: job.jobId, signal: abort.signal })) {
      if (e.event === 'vote') {
        voters.add(String((e.data as { voter?: unknown }).voter))
        line(job.status)
        continue
      }
      if (e.event !== 'hello' && e.event !== 'job') continue
      job = await client.getJob(job.jobId)
      line(job.status)
      if (isSettled(job)) return { job, timedOut: false }
    }
  } catch (err) {
    // A node without the stream (ERR_NOT_FOUND) or a broken stream: polling below reports what is really wrong.
    if (!(err instanceof TrustEngineError)) throw err
  } finally {
    clearTimeout(timer)
    abort.abort()
  }
  while (!isSettled(job)) {
    const left = deadline - performance.now()
    if (left <= 0) return { job, timedOut: true }
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, left)))
    job = await client.getJob(job.jobId)
    line(job.status)
  }
  return { job, timedOut: false }
}

interface SubmitFlags {
  api?: string
  token?: string
  reference?: string[]
  candidate?: string[]
  thresholds?: string
  deadlineMs?: string
  profile?: string
  wait?: boolean
  timeoutMs?: string
  json?: boolean
  optimizeBy?: string
  budget?: string
}

/** Turns the command line into {@link SubmitOptions}; throws `ERR_BAD_ARGS`. */
export function submitOptionsFromFlags (scene: string | undefined, flags: SubmitFlags, env: NodeJS.ProcessEnv = process.env): SubmitOptions {
  const reference = flags.reference ?? []
  const candidate = flags.candidate ?? []
  let kind: 'frames' | 'scene'
  if (scene !== undefined) {
    if (reference.length > 0) throw badArgs('--reference', 'give either a scene or --reference frames, not both')
    if (candidate.length > 1) throw badArgs('--candidate', 'a scene job takes at most one candidate scene')
    kind = 'scene'
  } else {
    if (reference.length === 0) throw badArgs('--reference', 'give reference frames (--reference A.png ...) or a scene file')
    if (candidate.length !== reference.length) throw badArgs('--candidate', `give one candidate per reference frame (${reference.length})`)
    kind = 'frames'
  }
  const opts: SubmitOptions = {
    api: resolveApiUrl(flags.api, env),
    token: resolveApiToken(flags.token, env),
    kind,
    reference: scene !== undefined ? [scene] : reference,
    candidate,
    wait: flags.wait === true,
    timeoutMs: flags.timeoutMs === undefined ? DEFAULT_SUBMIT_WAIT.timeoutMs : parseIntArg('--timeout-ms', flags.timeoutMs, 1, 86_400_000),
    pollMs: DEFAULT_SUBMIT_WAIT.pollMs
  }
  if (flags.thresholds !== undefined) opts.thresholds = parseThresholds(flags.thresholds)
  if (flags.deadlineMs !== undefined) opts.deadlineMs = parseIntArg('--deadline-ms', flags.deadlineMs, 1, 86_400_000)
  if (flags.profile !== undefined) {
    // The node would refuse it (ERR_BAD_REQUEST at body.profile): say so before uploading the frames.
    if (kind === 'frames') throw badArgs('--profile', 'applies only to a scene job (a GLB scene argument), not to --reference frames')
    opts.profile = flags.profile
  }
  return opts
}

/** Declares `submit`. */
export function register (program: Command): void {
  program
    .command('submit')
    .description('upload frames (or a scene) to a node and create a verification job')
    .argument('[scene]', 'a GLB scene: creates a scene job instead of a frames job')
    .option('--api <url>', 'API base URL (default $TRUST_ENGINE_API_URL or http://127.0.0.1:7700)')
    .option('--reference <files...>', 'reference frames (PNG)')
    .option('--candidate <files...>', 'candidate frames (PNG), one per reference; or the optimized scene')
    .option('--thresholds <list>', 'quality thresholds, e.g. ssim=0.98,psnr=35 (network defaults otherwise)')
    .option('--deadline-ms <n>', 'vote deadline after announcement, in ms (network default otherwise)')
    .option('--profile <name>', 'optimizer profile of a scene job')
    .option('--token <token>', 'API bearer token (default $TRUST_ENGINE_API_TOKEN)')
    .option('--wait', 'wait until the job is final or disputed and print its view')
    .option('--timeout-ms <n>', `how long --wait waits, in ms (default ${DEFAULT_SUBMIT_WAIT.timeoutMs})`)
    .option('--json', 'print JSON')
    .option('--optimize-by <time>', 'economy scene jobs: latest end of the optimization, ISO 8601 with Z or offset, or +Nh (node default: 24 h)')
    .option('--budget <usd>', 'economy scene jobs: most the optimization may cost, USD')
    .action(async (scene: string | undefined, flags: SubmitFlags) => {
      const opts = submitOptionsFromFlags(scene, flags)
      const economyCli = await import('../economy-submit.ts')
      const economy = economyCli.economyFromFlags(opts, flags)
      if (economy !== null) {
        // Deferred by the node to its cheapest slot: the answer is a schedule, not a job.
        const schedule = await economyCli.submitEconomyJob(opts, economy, (line) => { if (flags.json !== true) process.stderr.write(`${line}\n`) })
        process.stdout.write((flags.json === true ? JSON.stringify(schedule, null, 2) : economyCli.formatSchedule(schedule)) + '\n')
        return
      }
      // The progress line: rewritten in place on a terminal, left out otherwise (logs stay clean).
      const tty = process.stderr.isTTY && flags.json !== true
      let shown = false
      const status = (line: string): void => { if (tty) { process.stderr.write(`\r\x1b[2K${line}`); shown = true } }
      const out = await submitJob(opts, (line) => { if (flags.json !== true) process.stderr.write(`${line}\n`) }, status)
      if (shown) process.stderr.write('\n')
      if (opts.wait) {
        process.stdout.write(JSON.stringify(out.job, null, 2) + '\n')
        if (flags.json !== true && out.job.caveats !== null && out.job.caveats.length > 0) process.stderr.write(`caveats: ${formatCaveats(out.job.caveats)}\n`)
        if (out.timedOut) process.stderr.write(`timeout: job ${out.job.jobId} still ${out.job.status} after ${opts.timeoutMs} ms\n`)
      } else if (flags.json === true) {
        process.stdout.write(JSON.stringify({ jobId: out.job.jobId, status: out.job.status }) + '\n')
      } else {
        process.stdout.write(`${out.job.jobId}\n`)
      }
      process.exitCode = out.exitCode
    })
}
