/**
 * Job: status and reason, consensus values with intervals against the
 * thresholds (a chart per metric), every vote (agrees or deviates), the round
 * and grey-zone decision, the timeline, the certificate (download, and verify
 * here with the protocol's own code), and the evidence this node kept:
 * reference and candidate side by side with the SSIM map and the difference,
 * zoomable; for a scene job the network optimized, the optimizer report
 * (optimizer-report.ts). Re-read live as votes, evidence and the final status arrive.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { ApiError, get } from '../api.ts'
import { Chart } from '../chart.ts'
import { html, num, short } from '../html.ts'
import { LatestRead } from '../latest-read.ts'
import { useEvent, useThrottled } from '../live.ts'
import type { EvidenceEntry, EvidenceManifest, JobView, WireMetric } from '../types.ts'
import { CertificatePanel } from './certificate.ts'
import { OptimizerReportPanel } from './optimizer-report.ts'

const METRICS = [
  { key: 'ssim', label: 'SSIM', threshold: 'ssimMin', digits: 4 },
  { key: 'psnr', label: 'PSNR (dB)', threshold: 'psnrMin', digits: 2 },
  { key: 'ssimLocal', label: 'worst-tile SSIM', threshold: 'ssimLocalMin', digits: 4 }
] as const

/** Shortest time between two reads of the job's view prompted by its events (ms). */
const RELOAD_MS = 500

/** Wait before a failed read of the job's view is tried again (ms); each try is one read, well within the node's read limit. */
const RETRY_MS = 2000

const finite = (v: WireMetric | undefined | null): number | null => (v === undefined || v === null ? null : v === 'Infinity' ? null : v)

function Timeline (props: { job: JobView }) {
  const t = props.job.timings
  const steps: Array<[string, number | null]> = [['announced', t.createdAt], ['received here', t.receivedAt], ['seed fixed', t.seededAt], ['blobs fetched', t.blobsAt], ['measured', t.measuredAt], ['final', t.finalizedAt]]
  const end = Math.max(...steps.map(([, v]) => v ?? 0), t.createdAt + 1)
  const span = end - t.createdAt
  return html`<ol class="timeline">${steps.map(([label, at]) => html`<li class=${at === null ? 'missing' : ''}>
    <span class="bar" style=${`width:${at === null ? 0 : Math.max(1, ((at - t.createdAt) / span) * 100)}%`}></span>
    <span>${label}</span> <span class="at">${at === null ? '—' : `+${((at - t.createdAt) / 1000).toFixed(2)} s`}</span></li>`)}</ol>`
}

function Evidence (props: { jobId: string, version: number }) {
  const [manifest, setManifest] = useState<EvidenceManifest | null>(null)
  const [note, setNote] = useState<string>('loading…')
  const [zoom, setZoom] = useState<string | null>(null)
  const latest = useMemo(() => new LatestRead(), [])
  useEffect(() => {
    const current = latest.begin()
    get<EvidenceManifest>(`/v1/jobs/${props.jobId}/evidence`).then((m) => { if (current()) { setManifest(m); setNote('') } }, (e: ApiError) => {
      if (!current()) return
      setManifest(null)
      setNote(e.code === 'ERR_EVIDENCE_NOT_FOUND' ? 'This node keeps no evidence of this job (not measured here yet, evicted, or pruned by retention).' : e.message)
    })
  }, [props.jobId, props.version])
  if (manifest === null) return html`<p class="note">${note}</p>`
  const src = (f: string): string => `/v1/jobs/${props.jobId}/evidence/${f}?round=${manifest.round}`
  const img = (f: string, alt: string) => html`<figure><button class="zoomable" aria-label=${`zoom ${alt}`} onClick=${() => { setZoom(src(f)) }}><img src=${src(f)} alt=${alt} loading="lazy" /></button><figcaption>${alt}</figcaption></figure>`
  return html`
    <p class="note">Round ${manifest.round}, ${manifest.input}: the ${manifest.samples.filter((s: EvidenceEntry) => s.reason === 'worst').length} worst samples by worst-tile SSIM and ${manifest.samples.filter((s: EvidenceEntry) => s.reason === 'random').length} seeded random ones, as this node measured them. Click an image to zoom.</p>
    ${manifest.samples.map((s: EvidenceEntry) => html`<section class="sample" data-sample=${s.id}>
      <h3>#${s.id} ${s.reason}: ${s.kind} ${s.frame}${s.rect === undefined ? '' : ` at (${s.rect.x}, ${s.rect.y}) ${s.rect.width}×${s.rect.height}`}</h3>
      <p>SSIM ${num(s.ssim)} · worst tile ${num(s.worstTile)} · PSNR ${num(s.psnr, 2)} dB</p>
      <div class="row">${img(s.files.reference, 'reference')}${img(s.files.candidate, 'candidate')}${img(s.files.ssimMap, 'SSIM map (red = low)')}${img(s.files.difference, '|difference| × 4')}</div>
    </section>`)}
    ${zoom === null ? null : html`<div class="zoom" role="dialog" aria-label="zoomed image" onClick=${() => { setZoom(null) }}><img src=${zoom} alt="zoomed evidence image" /></div>`}`
}

/**
 * Whether a failed read of the job is worth trying again: the node did not
 * answer, was busy (5xx) or limited this client (429). Another 4xx (an
 * unknown job, a malformed id) will not change by itself.
 */
function transient (e: Error): boolean {
  return !(e instanceof ApiError) || e.status === 0 || e.status === 429 || e.status >= 500
}

export function JobPage (props: { jobId: string }) {
  const [job, setJob] = useState<JobView | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [evidenceVersion, setEvidenceVersion] = useState(0)
  // Reads overlap (events, reconnection): only the answer of the last one begun is shown (latest-read.ts).
  const latest = useMemo(() => new LatestRead(), [])
  const retry = useRef<ReturnType<typeof setTimeout> | null>(null)
  const mounted = useRef(true)
  useEffect(() => () => { mounted.current = false; if (retry.current !== null) clearTimeout(retry.current) }, [])
  const load = (): void => {
    if (retry.current !== null) { clearTimeout(retry.current); retry.current = null }
    const current = latest.begin()
    get<JobView>(`/v1/jobs/${props.jobId}`).then((j) => { if (current()) { setJob(j); setError(null) } }, (e: Error) => {
      if (!current() || !mounted.current) return
      setError(e.message)
      // A read that failed for a passing reason is tried again: for a final job no event would ever prompt
      // another read, and the page would keep the error (or a view older than the node's) for good.
      if (transient(e)) retry.current = setTimeout(load, RETRY_MS)
    })
  }
  useEffect(load, [props.jobId])
  // A job of a thousand validators has a thousand vote events a round: its view is read again at most twice a second.
  const reload = useThrottled(load, RELOAD_MS)
  const mine = (e: { jobId: string }): boolean => e.jobId === props.jobId
  useEvent('job', (e) => { if (mine(e)) reload() }, [props.jobId])
  useEvent('vote', (e) => { if (mine(e)) reload() }, [props.jobId])
  useEvent('evidence', (e) => { if (mine(e)) setEvidenceVersion((v) => v + 1) }, [props.jobId])
  useEvent('reconnected', () => { load(); setEvidenceVersion((v) => v + 1) }, [props.jobId])
  if (job === null) return error === null ? html`<h1>Job</h1><p>loading…</p>` : html`<h1>Job</h1><p class="error" role="alert">${error}</p>`
  const voters = job.votes.map((v) => v.name ?? short(v.voter, 8))
  return html`
    <h1>Job <code>${short(job.jobId, 16)}</code></h1>
    ${error === null ? null : html`<p class="error" role="alert">Could not read the job again (${error}); trying again. Shown: the last answer.</p>`}
    <p class="summary"><span class="status ${job.status}" data-testid="job-status">${job.status}</span>
      ${job.final ? ' final' : ''} · ${job.kind} · reason <code>${job.reason}</code> · round ${job.round}
      ${job.greyZone === null ? '' : ` · grey zone on ${job.greyZone.metrics.join(', ')}: a larger second round decided`}
      ${job.error === null ? '' : html` · <span class="error">${job.error.code}</span>`}
      ${job.candidateHashMatches === null ? '' : ` · re-execution hash ${job.candidateHashMatches ? 'matches' : 'DOES NOT match'}`}</p>
    <h2>Consensus</h2>
    <table class="consensus"><thead><tr><th>metric</th><th>consensus</th><th>interval</th><th>threshold</th><th>passes</th></tr></thead><tbody>
      ${METRICS.map((m) => {
        const v = job.values?.[m.key] ?? null
        const iv = job.intervals?.[m.key] ?? null
        const th = job.thresholds[m.threshold]
        const pass = v === null ? null : (v === 'Infinity' || v >= th)
        return html`<tr><td>${m.label}</td><td>${num(v, m.digits)}</td><td>${iv === null ? '—' : `[${num(iv[0], m.digits)}, ${num(iv[1], m.digits)}]`}</td><td>≥ ${th}</td><td>${pass === null ? '—' : pass ? 'yes' : 'no'}</td></tr>`
      })}</tbody></table>
    ${job.caveats === null || job.caveats.length === 0 ? null : html`<p class="note caveats" data-testid="job-caveats">Caveats: <strong>${job.caveats.join(', ')}</strong>. The renderer does not show these; the verdict holds for what it shows, and the certificate says so.</p>`}
    <div class="charts">${job.votes.length === 0 ? null : METRICS.filter((m) => m.key !== 'psnr' || job.votes.some((v) => v.metrics.psnr !== 'Infinity')).map((m) => html`<${Chart} title=${m.label}
      xLabels=${voters}
      series=${[
        { label: 'votes', values: job.votes.map((v) => finite(v.metrics[m.key])), stroke: '#1f6feb', points: true },
        { label: 'consensus', values: job.votes.map(() => finite(job.values?.[m.key])), stroke: '#2da44e' },
        { label: 'threshold', values: job.votes.map(() => job.thresholds[m.threshold]), stroke: '#cf222e', dash: [6, 4] }
      ]} />`)}</div>
    <h2>Votes (${job.votes.length})</h2>
    ${job.timings.prunedAt === null ? null : html`<p class="note pruned">This node pruned the job's stored votes, blobs and evidence ${new Date(job.timings.prunedAt).toISOString()} (retention); ${job.final ? 'the votes shown are its certificate\'s' : 'a disputed job has no certificate to show votes from'}. The verdict and certificate are kept.</p>`}
    <table class="votes"><thead><tr><th>voter</th><th>round</th><th>SSIM</th><th>PSNR</th><th>worst tile</th><th>samples</th><th>verdict</th></tr></thead><tbody>
      ${job.votes.map((v) => html`<tr class=${v.agrees === false ? 'deviates' : ''}><td title=${v.voter}>${v.name ?? short(v.voter, 8)}</td><td>${v.round}</td>
        <td>${num(v.metrics.ssim)}</td><td>${num(v.metrics.psnr, 2)}</td><td>${num(v.metrics.ssimLocal)}</td><td>${v.samples}</td>
        <td>${v.agrees === null ? '—' : v.agrees ? 'agrees' : 'deviates'}${v.late ? ' (late)' : ''}${job.equivocators.includes(v.voter) ? ' · equivocated' : ''}</td></tr>`)}</tbody></table>
    <h2>Timeline</h2>
    <${Timeline} job=${job} />
    <h2>Certificate</h2>
    <${CertificatePanel} job=${job} />
    <h2>Evidence</h2>
    <${Evidence} jobId=${job.jobId} version=${evidenceVersion} />
    ${job.optimize === null ? null : html`<h2>Optimizer report</h2>
    <${OptimizerReportPanel} job=${job} version=${evidenceVersion} />`}`
}
