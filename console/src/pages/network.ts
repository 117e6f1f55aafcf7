/**
 * Network: this node (version, network id, role, listen addresses), the
 * validators (base weight, reputation, trust, equivocation flag) with a chart
 * of each one's trust over time as the node stored it (`GET
 * /v1/reputation/history`: a point whenever a decided job, a late vote or
 * equivocation changed it), and the peers with their gossip scores. Re-read
 * when a job is final (reputations change then) and every 10 s; the history
 * only when the reputations differ from the last read.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { get } from '../api.ts'
import { TimeChart } from '../chart.ts'
import { age, html, num, short } from '../html.ts'
import { useEvent } from '../live.ts'
import type { NodeInfo, PeerView, ReputationHistoryAnswer, ReputationView } from '../types.ts'

/** Points per validator the chart shows: the newest this many. */
const HISTORY = 200
const COLOURS = ['#1f6feb', '#2da44e', '#cf222e', '#bf8700', '#8250df', '#1b7c83', '#e16f24', '#57606a']

export function NetworkPage () {
  const [info, setInfo] = useState<NodeInfo | null>(null)
  const [reps, setReps] = useState<ReputationView[]>([])
  const [peers, setPeers] = useState<PeerView[]>([])
  const [error, setError] = useState<string | null>(null)
  const [history, setHistory] = useState<ReputationHistoryAnswer | null>(null)
  // The history changes only with the reputations: re-read when they differ from the last read, not on every tick.
  const seen = useRef('')
  const loadHistory = (): void => {
    get<ReputationHistoryAnswer>(`/v1/reputation/history?limit=${HISTORY}`).then(setHistory, (e: Error) => { setError(e.message) })
  }
  const load = (): void => {
    Promise.all([get<NodeInfo>('/v1/node'), get<{ validators: ReputationView[] }>('/v1/reputation'), get<{ peers: PeerView[] }>('/v1/peers')]).then(([i, { validators: r }, { peers: p }]) => {
      setInfo(i); setReps(r); setPeers(p); setError(null)
      const now = JSON.stringify(r.map((v) => [v.reputation, v.verifications, v.equivocated]))
      if (now !== seen.current) { seen.current = now; loadHistory() }
    }, (e: Error) => { setError(e.message) })
  }
  useEffect(() => { load(); const t = setInterval(load, 10_000); return () => { clearInterval(t) } }, [])
  useEvent('job', (e: { final: boolean }) => { if (e.final) load() })
  useEvent('reconnected', () => { seen.current = ''; load() })
  const trend = history === null ? null : trustOverTime(history)
  return html`
    <h1>Network</h1>
    ${error === null ? null : html`<p class="error" role="alert">${error}</p>`}
    ${info === null ? html`<p>loading…</p>` : html`<dl class="info">
      <dt>node</dt><dd>${info.name ?? '—'} (${info.role})</dd>
      <dt>version</dt><dd>${info.version}, protocol ${info.protocolVersion}</dd>
      <dt>network id</dt><dd><code>${info.networkId}</code></dd>
      <dt>peer id</dt><dd><code>${info.peerId}</code></dd>
      <dt>public key</dt><dd><code>${info.publicKey}</code></dd>
      <dt>listen addresses</dt><dd>${info.listenAddresses.map((a) => html`<code>${a}</code> `)}</dd>
      <dt>API</dt><dd><code>${info.apiUrl ?? location.origin}</code></dd></dl>`}
    <h2>Validators (${reps.length})</h2>
    <table class="validators"><thead><tr><th>name</th><th>public key</th><th>base weight</th><th>reputation</th><th>trust</th><th>verifications</th><th>agreed</th><th>equivocated</th></tr></thead><tbody>
      ${reps.map((r) => html`<tr class=${r.equivocated ? 'deviates' : ''}><td>${r.name}</td><td><code title=${r.publicKey}>${short(r.publicKey, 10)}</code></td><td>${r.baseWeight}</td>
        <td>${num(r.reputation, 3)}</td><td>${num(r.trust, 3)}</td><td>${r.verifications}</td><td>${r.successes}</td><td>${r.equivocated ? 'YES' : 'no'}</td></tr>`)}</tbody></table>
    ${trend === null || trend.times.length === 0
      ? html`<p class="note" data-testid="trust-history-note">${history === null ? 'loading trust over time…' : 'No reputation has changed yet: trust over time starts with the first decided job.'}</p>`
      : html`<div data-testid="trust-history"><${TimeChart} title=${`trust over time (the newest ${HISTORY} changes per validator, as this node stored them)`} times=${trend.times} series=${trend.series} /></div>`}
    <h2>Peers (${peers.filter((p) => p.connected).length} connected)</h2>
    <table class="peers"><thead><tr><th>name</th><th>peer id</th><th>connected</th><th>gossip score</th><th>last seen</th><th>addresses</th></tr></thead><tbody>
      ${peers.map((p) => html`<tr><td>${p.name ?? '—'}</td><td><code title=${p.peerId}>${short(p.peerId, 16)}</code></td><td>${p.connected ? 'yes' : 'no'}</td>
        <td>${p.gossipScore === null ? '—' : num(p.gossipScore, 1)}</td><td>${p.lastSeen === null ? '—' : `${age(p.lastSeen)} ago`}</td><td>${p.addresses.map((a) => html`<code>${a}</code> `)}</td></tr>`)}</tbody></table>`
}

/**
 * The chart's data: every time a point was stored, and for each validator
 * its trust at that time (its latest point at or before it; none before its
 * first point).
 */
function trustOverTime (h: ReputationHistoryAnswer): { times: number[], series: Array<{ label: string, values: Array<number | null>, stroke: string }> } {
  const times = [...new Set(h.validators.flatMap((v) => v.points.map((p) => p.at)))].sort((a, b) => a - b)
  const series = h.validators.map((v, i) => {
    const points = [...v.points].sort((a, b) => a.seq - b.seq)
    let k = -1
    const values = times.map((t) => {
      while (k + 1 < points.length && points[k + 1]!.at <= t) k++
      return k < 0 ? null : points[k]!.trust
    })
    return { label: v.name, values, stroke: COLOURS[i % COLOURS.length]! }
  })
  return { times, series }
}
