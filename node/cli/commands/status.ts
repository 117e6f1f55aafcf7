/**
 * `trust-engine status JOB`: a job's view from a node's API.
 *
 * Exit codes: 0 the node knows the job; 2 error (e.g. `ERR_JOB_NOT_FOUND`).
 */
import type { Command } from 'commander'
import type { JobView } from '../../types.ts'
import { badArgs, resolveApiToken, resolveApiUrl } from '../args.ts'

/** A few human-readable lines about a job. */
export function formatJob (job: JobView): string {
  const lines = [
    `job       ${job.jobId}`,
    `kind      ${job.kind}`,
    `status    ${job.status}${job.final ? ' (final)' : ''}${job.reason === '' ? '' : ` — ${job.reason}`}`,
    `values    ${job.values === null ? '-' : `ssim ${job.values.ssim}  psnr ${job.values.psnr}`}`,
    `caveats   ${formatCaveats(job.caveats)}`,
    `thresholds ssim ≥ ${job.thresholds.ssimMin}  psnr ≥ ${job.thresholds.psnrMin}  local ssim ≥ ${job.thresholds.ssimLocalMin}`,
    `votes     ${job.votes.length}${job.byzantine.length > 0 ? `  deviating: ${job.byzantine.length}` : ''}${job.equivocators.length > 0 ? `  equivocators: ${job.equivocators.length}` : ''}`
  ]
  if (job.timings.latencyMs !== null) lines.push(`latency   ${job.timings.latencyMs} ms`)
  if (job.error !== null) lines.push(`error     ${job.error.code}: ${job.error.message}`)
  return lines.join('\n')
}

/**
 * A job's caveats for people: `-` before there are consensus values, `none`
 * for none, else the names and what they mean for the verdict.
 */
export function formatCaveats (caveats: JobView['caveats']): string {
  if (caveats === null) return '-'
  if (caveats.length === 0) return 'none'
  return `${caveats.join(', ')} (not rendered: the verdict holds for what the renderer shows)`
}

/** Declares `status`. */
export function register (program: Command): void {
  program
    .command('status')
    .description("show a job's status on a node")
    .argument('<job>', 'job id (64 hex characters)')
    .option('--api <url>', 'API base URL (default $TRUST_ENGINE_API_URL or http://127.0.0.1:7700)')
    .option('--token <token>', 'API bearer token (default $TRUST_ENGINE_API_TOKEN)')
    .option('--json', 'print the job view as JSON')
    .action(async (jobId: string, flags: { api?: string, token?: string, json?: boolean }) => {
      if (!/^[0-9a-f]{64}$/.test(jobId)) throw badArgs('job', 'expected 64 lowercase hex characters')
      const { ApiClient } = await import('../api-client.ts')
      const client = new ApiClient(resolveApiUrl(flags.api), { token: resolveApiToken(flags.token) })
      const job = await client.getJob(jobId)
      process.stdout.write((flags.json === true ? JSON.stringify(job, null, 2) : formatJob(job)) + '\n')
    })
}
