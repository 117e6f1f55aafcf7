/**
 * Network: this node (version, network id, role, listen addresses), the
 * validators (base weight, reputation, trust, equivocation flag) with a chart
 * of trust over the time this page has been open (the API gives the current
 * value; the page keeps the history it has seen), and the peers with their
 * gossip scores. Re-read when a job is final (reputations change then) and
 * every 10 s.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { get } from '../api.ts'
import { Chart } from '../chart.ts'
import { age, html, num, short } from '../html.ts'
import { useEvent } from '../live.ts'
import type { NodeInfo, PeerView, ReputationView } from '../types.ts'

const HISTORY = 120
const COLOURS = ['#1f6feb', '#2da44e', '#cf222e', '#bf8700', '#8250df', '#1b7c83', '#e16f24', '#57606a']

export function NetworkPage () {
  const [info, setInfo] = useState<NodeInfo | null>(null)
  const [reps, setReps] = useState<ReputationView[]>([])
  const [peers, setPeers] = useState<PeerView[]>([])
  const [error, setError] = useState<string | null>(null)
  const history = useRef<Array<{ at: number, trust: Record<string, number> }>>([])
  const [, setTick] = useState(0)
  const load = (): void => {
    Promise.all([get<NodeInfo>('/v1/node'), get<{ validators: ReputationView[] }>('/v1/reputation'), get<{ peers: PeerView[] }>('/v1/peers')]).then(([i, { validators: r }, { peers: p }]) => {
      setInfo(i); setReps(r); setPeers(p); setError(null)
      history.current = [...history.current, { at: Date.now(), trust: Object.fromEntries(r.map((v) => [v.publicKey, v.trust])) }].slice(-HISTORY)
      setTick((t) => t + 1)
    }, (e: Error) => { setError(e.message) })
  }
  useEffect(() => { load(); const t = setInterval(load, 10_000); return () => { clearInterval(t) } }, [])
  useEvent('job', (e: { final: boolean }) => { if (e.final) load() })
  useEvent('reconnected', load)
  const h = history.current
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
    ${h.length < 2 ? null : html`<${Chart} title="trust while this page is open" xLabels=${h.map((p) => age(p.at))}
      series=${reps.map((r, i) => ({ label: r.name, values: h.map((p) => p.trust[r.publicKey] ?? null), stroke: COLOURS[i % COLOURS.length]! }))} />`}
    <h2>Peers (${peers.filter((p) => p.connected).length} connected)</h2>
    <table class="peers"><thead><tr><th>name</th><th>peer id</th><th>connected</th><th>gossip score</th><th>last seen</th><th>addresses</th></tr></thead><tbody>
      ${peers.map((p) => html`<tr><td>${p.name ?? '—'}</td><td><code title=${p.peerId}>${short(p.peerId, 16)}</code></td><td>${p.connected ? 'yes' : 'no'}</td>
        <td>${p.gossipScore === null ? '—' : num(p.gossipScore, 1)}</td><td>${p.lastSeen === null ? '—' : `${age(p.lastSeen)} ago`}</td><td>${p.addresses.map((a) => html`<code>${a}</code> `)}</td></tr>`)}</tbody></table>`
}
