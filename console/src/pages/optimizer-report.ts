/**
 * The optimizer report of a scene job the network optimized, as this node
 * made it (`GET /v1/jobs/:id/optimizer-report`): who ran it (the submitter
 * that made the candidate, or this node re-running it as a verifier), the
 * options, input and output hashes against the job's candidate, the figures
 * before and after, the passes that ran, the route and its reasons, and the
 * estimates.
 */
import { useEffect, useMemo, useState } from 'preact/hooks'
import { ApiError, get } from '../api.ts'
import { html, short } from '../html.ts'
import { LatestRead } from '../latest-read.ts'
import type { JobView, OptimizerReportView } from '../types.ts'

const FIGURES = [
  ['triangles', 'triangles'], ['vertices', 'vertices'], ['drawCalls', 'draw calls'], ['materials', 'materials'], ['textures', 'textures'],
  ['textureMemoryBytes', 'texture memory (bytes)'], ['geometryBytes', 'geometry (bytes)'], ['fileBytes', 'file (bytes)']
] as const

/** The report panel of `job` (a network-optimized scene job); re-read when `version` changes. */
export function OptimizerReportPanel (props: { job: JobView, version: number }) {
  const [view, setView] = useState<OptimizerReportView | null>(null)
  const [note, setNote] = useState('loading…')
  const latest = useMemo(() => new LatestRead(), [])
  useEffect(() => {
    const current = latest.begin()
    get<OptimizerReportView>(`/v1/jobs/${props.job.jobId}/optimizer-report`).then((v) => { if (current()) { setView(v); setNote('') } }, (e: ApiError) => {
      if (!current()) return
      setView(null)
      setNote(e.code === 'ERR_OPTIMIZER_REPORT_NOT_FOUND' ? 'This node keeps no optimizer report of this job (not optimized or re-checked here yet, or pruned).' : e.message)
    })
  }, [props.job.jobId, props.version])
  if (view === null) return html`<p class="note" data-testid="optimizer-report-note">${note}</p>`
  const r = view.report
  const candidate = props.job.candidate[0] ?? ''
  const same = r.outputHash === candidate
  return html`<div class="optimizer-report" data-testid="optimizer-report">
    <p class="note">${view.source === 'submitter' ? 'This node made the candidate with this optimization.' : 'This node re-ran the optimizer to check the candidate.'}
      Profile <code>${r.profile}</code>, ratio ${r.options.ratio}, error ${r.options.error}, textures ≤ ${r.options.maxTextureSize} px${r.options.quantize === null ? '' : ', quantized'}.</p>
    <dl class="info">
      <dt>input</dt><dd><code title=${r.inputHash}>${short(r.inputHash, 16)}</code></dd>
      <dt>output</dt><dd><code title=${r.outputHash}>${short(r.outputHash, 16)}</code> <span class=${same ? '' : 'error'} data-testid="optimizer-output-check">${same ? '= the job’s candidate' : '≠ the job’s candidate'}</span></dd>
      <dt>route</dt><dd>${r.routing.pipeline} (${r.complexityClass}, complexity ${r.complexity.toFixed(3)})</dd>
      <dt>estimates</dt><dd>${r.estimates.processingSeconds.toFixed(0)} s, $${r.estimates.costUsd.toFixed(2)}</dd>
      ${r.simplification === null ? null : html`<dt>simplification</dt><dd>${r.simplification.requested} requested, ${r.simplification.achieved.toFixed(3)} achieved</dd>`}
    </dl>
    <table class="figures"><thead><tr><th>figure</th><th>before</th><th>after</th><th>after / before</th></tr></thead><tbody>
      ${FIGURES.map(([k, label]) => html`<tr><td>${label}</td><td>${r.before[k]}</td><td>${r.after[k]}</td><td>${r.ratios[k].toFixed(3)}</td></tr>`)}</tbody></table>
    <h3>Passes</h3>
    <ol class="operations">${r.operations.map((o) => html`<li><code>${o.name}</code>: ${o.detail}</li>`)}</ol>
    ${r.routing.reasons.length === 0 ? null : html`<h3>Routing</h3><ul>${r.routing.reasons.map((why) => html`<li>${why}</li>`)}</ul>`}
  </div>`
}
