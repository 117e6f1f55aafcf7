/**
 * Jobs: the node's newest jobs, updated live from the event stream (a job
 * event replaces or adds its row; a vote bumps its count), filtered by status.
 * "Show more" asks for a longer list, up to the API's limit.
 */
import { useEffect, useState } from 'preact/hooks'
import { get } from '../api.ts'
import { age, html, num, short } from '../html.ts'
import { useEvent } from '../live.ts'
import type { JobEventData, JobView } from '../types.ts'

interface Row { jobId: string, kind: string, status: string, createdAt: number | null, latencyMs: number | null, votes: number, ssim: number | 'Infinity' | null }

const STATUSES = ['all', 'pending', 'validated', 'rejected', 'disputed']
const PAGE = 50
const MAX = 1000

function rowOf (v: JobView): Row {
  return { jobId: v.jobId, kind: v.kind, status: v.status, createdAt: v.timings.createdAt, latencyMs: v.timings.latencyMs, votes: v.votes.length, ssim: v.values?.ssim ?? null }
}

export function JobsPage () {
  const [rows, setRows] = useState<Row[]>([])
  const [limit, setLimit] = useState(PAGE)
  const [filter, setFilter] = useState('all')
  const [error, setError] = useState<string | null>(null)
  const load = (): void => {
    get<{ jobs: JobView[] }>(`/v1/jobs?limit=${limit}`).then((r) => { setRows(r.jobs.map(rowOf)); setError(null) }, (e: Error) => { setError(e.message) })
  }
  useEffect(load, [limit])
  useEvent('reconnected', load, [limit])
  useEvent('job', (e: JobEventData) => {
    setRows((old) => {
      const i = old.findIndex((r) => r.jobId === e.jobId)
      const prev = i === -1 ? null : old[i]!
      const row: Row = { jobId: e.jobId, kind: e.kind, status: e.status, createdAt: prev?.createdAt ?? null, latencyMs: prev?.latencyMs ?? null, votes: e.votes, ssim: e.values?.ssim ?? null }
      if (i === -1) return [row, ...old]
      const next = [...old]; next[i] = row; return next
    })
    if (e.final) get<JobView>(`/v1/jobs/${e.jobId}`).then((v) => { setRows((old) => old.map((r) => (r.jobId === v.jobId ? rowOf(v) : r))) }, () => {})
  })
  useEvent('vote', (e: { jobId: string }) => { setRows((old) => old.map((r) => (r.jobId === e.jobId ? { ...r, votes: r.votes + 1 } : r))) })
  const shown = rows.filter((r) => filter === 'all' || r.status === filter)
  return html`
    <h1>Jobs</h1>
    <p class="controls">
      <label>Status <select value=${filter} onChange=${(e: Event) => { setFilter((e.target as HTMLSelectElement).value) }}>
        ${STATUSES.map((s) => html`<option value=${s}>${s}</option>`)}
      </select></label>
      <span>${shown.length} of the newest ${rows.length} jobs</span>
    </p>
    ${error !== null ? html`<p class="error" role="alert">${error}</p>` : null}
    <table class="jobs">
      <thead><tr><th>job</th><th>kind</th><th>status</th><th>age</th><th>latency</th><th>votes</th><th>SSIM</th></tr></thead>
      <tbody>${shown.map((r) => html`<tr data-job=${r.jobId}>
        <td><a href="#/job/${r.jobId}"><code>${short(r.jobId)}</code></a></td>
        <td>${r.kind}</td><td><span class="status ${r.status}">${r.status}</span></td>
        <td>${r.createdAt === null ? '—' : age(r.createdAt)}</td>
        <td>${r.latencyMs === null ? '—' : `${(r.latencyMs / 1000).toFixed(1)} s`}</td>
        <td>${r.votes}</td><td>${num(r.ssim)}</td></tr>`)}</tbody>
    </table>
    ${rows.length >= limit && limit < MAX ? html`<button onClick=${() => { setLimit(Math.min(MAX, limit + PAGE)) }}>Show more</button>` : null}`
}
