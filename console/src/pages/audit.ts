/**
 * Audit: the node's audit trail page by page with the hash chain (each
 * entry's previous hash), the signed head, and a button that checks the
 * trail in this browser with the protocol's own code (console/src/audit-check.ts):
 * the head's signature under the node's key, and every entry's link, hash
 * and signature up to the head.
 */
import { useEffect, useState } from 'preact/hooks'
import { get } from '../api.ts'
import { checkAuditTrail, type AuditPageView } from '../audit-check.ts'
import { html, short } from '../html.ts'
import type { NodeInfo } from '../types.ts'

const PAGE = 100

interface Outcome { ok: boolean, text: string }

/** Checks the trail against the key and network id the node reports. */
async function verifyTrail (onProgress: (n: number) => void): Promise<Outcome> {
  const info = await get<NodeInfo>('/v1/node')
  const r = await checkAuditTrail(async (from) => await get<AuditPageView>(`/v1/audit?from=${from}&limit=1000`), info, onProgress)
  const under = `the node key ${short(info.publicKey)} in network ${info.networkId}`
  if (!r.ok) return { ok: false, text: `${r.code} at entry ${r.seq}: ${r.reason} (checked under ${under})` }
  if (r.head === null) return { ok: true, text: 'the trail is empty' }
  return { ok: true, text: `the head ${short(r.head.hash)} is signed by ${under}; ${r.length} entries: every hash matches its content, links to the previous one and is signed` }
}

export function AuditPage () {
  const [from, setFrom] = useState(0)
  const [page, setPage] = useState<AuditPageView | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [result, setResult] = useState<Outcome | null>(null)
  const [checking, setChecking] = useState<number | null>(null)
  useEffect(() => { get<AuditPageView>(`/v1/audit?from=${from}&limit=${PAGE}`).then(setPage, (e: Error) => { setError(e.message) }) }, [from])
  const verify = (): void => {
    setResult(null); setChecking(0)
    verifyTrail(setChecking).then(setResult, (e: Error) => { setResult({ ok: false, text: e.message }) }).finally(() => { setChecking(null) })
  }
  return html`
    <h1>Audit trail</h1>
    ${error === null ? null : html`<p class="error" role="alert">${error}</p>`}
    <p>Head: ${page?.head === null || page === null ? '—' : html`entry ${page.head.seq}, <code>${short(page.head.hash, 16)}</code>`}
      <button id="verify-chain" onClick=${verify} disabled=${checking !== null}>Verify the chain</button>
      ${checking === null ? null : html` checking… ${checking} entries`}
      ${result === null ? null : html` <span class=${result.ok ? 'ok' : 'error'} role="status" data-testid="chain-result">${result.ok ? 'valid' : 'BROKEN'}: ${result.text}</span>`}</p>
    <table class="audit"><thead><tr><th>seq</th><th>time</th><th>kind</th><th>hash</th><th>previous hash</th></tr></thead><tbody>
      ${(page?.entries ?? []).map((e) => html`<tr><td>${e.seq}</td><td>${new Date(e.time).toISOString()}</td><td>${e.kind}</td><td><code title=${e.hash}>${short(e.hash)}</code></td><td><code title=${e.prevHash}>${short(e.prevHash)}</code></td></tr>`)}</tbody></table>
    <p>${from > 0 ? html`<button onClick=${() => { setFrom(Math.max(0, from - PAGE)) }}>Previous</button>` : null}
      ${(page?.entries.length ?? 0) === PAGE ? html`<button onClick=${() => { setFrom(from + PAGE) }}>Next</button>` : null}</p>`
}
