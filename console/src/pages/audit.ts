/**
 * Audit: the node's audit trail page by page with the hash chain (each
 * entry's previous hash), the head, and a button that checks the chain in
 * this browser: every entry's hash recomputed (sha256 of the canonical
 * encoding, the protocol's own code) and linked to the previous one.
 */
import { useEffect, useState } from 'preact/hooks'
import { canonicalEncode } from '../../../protocol/canonical.ts'
import { get } from '../api.ts'
import { html, short } from '../html.ts'
import type { AuditEntry } from '../types.ts'

const PAGE = 100
const GENESIS = '0'.repeat(64)

async function sha256Hex (bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource))
  return [...d].map((b) => b.toString(16).padStart(2, '0')).join('')
}

interface AuditPage { entries: AuditEntry[], head: { seq: number, hash: string } | null }

/** Checks the whole chain from entry 0 to the head; returns a sentence and whether it holds. */
async function verifyChain (onProgress: (n: number) => void): Promise<{ ok: boolean, text: string }> {
  let prev = GENESIS
  let from = 0
  let head: AuditPage['head'] = null
  let count = 0
  for (;;) {
    const page = await get<AuditPage>(`/v1/audit?from=${from}&limit=1000`)
    head ??= page.head
    for (const e of page.entries) {
      if (e.prevHash !== prev) return { ok: false, text: `entry ${e.seq}: its previous hash is not entry ${e.seq - 1}'s hash` }
      const hash = await sha256Hex(canonicalEncode({ seq: e.seq, prevHash: e.prevHash, time: e.time, kind: e.kind, data: e.data }))
      if (hash !== e.hash) return { ok: false, text: `entry ${e.seq}: its hash does not match its content` }
      prev = e.hash
      count++
    }
    onProgress(count)
    if (page.entries.length === 0 || head === null || page.entries.at(-1)!.seq >= head.seq) break
    from = page.entries.at(-1)!.seq + 1
  }
  if (head === null) return { ok: count === 0, text: count === 0 ? 'the trail is empty' : 'entries without a head' }
  if (prev !== head.hash) return { ok: false, text: 'the last entry is not the signed head' }
  return { ok: true, text: `${count} entries: every hash matches its content and links to the previous one, up to the head ${short(head.hash)}` }
}

export function AuditPage () {
  const [from, setFrom] = useState(0)
  const [page, setPage] = useState<AuditPage | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [result, setResult] = useState<{ ok: boolean, text: string } | null>(null)
  const [checking, setChecking] = useState<number | null>(null)
  useEffect(() => { get<AuditPage>(`/v1/audit?from=${from}&limit=${PAGE}`).then(setPage, (e: Error) => { setError(e.message) }) }, [from])
  const verify = (): void => {
    setResult(null); setChecking(0)
    verifyChain(setChecking).then(setResult, (e: Error) => { setResult({ ok: false, text: e.message }) }).finally(() => { setChecking(null) })
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
