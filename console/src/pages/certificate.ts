/**
 * The certificate of a final job: download it, and verify it here, offline,
 * with the protocol's own code (protocol/certificate-verify.ts, bundled):
 * the signed job, every vote's signature, the seed certificate, the
 * weights above two thirds and the recomputed verdict, against this node's
 * network file or one the reader gives (the stronger check: a file the
 * reader holds, not one the node serves).
 */
import { useState } from 'preact/hooks'
import { decodeCertificate } from '../../../protocol/certificate.ts'
import { verifyCertificate } from '../../../protocol/certificate-verify.ts'
import { networkDigest, parseNetwork } from '../../../protocol/network.ts'
import { html, short } from '../html.ts'
import type { JobView } from '../types.ts'

interface Outcome { ok: boolean, text: string }

async function check (jobId: string, networkFile: File | null): Promise<Outcome> {
  const certBytes = new Uint8Array(await (await fetch(`/v1/jobs/${jobId}/certificate`)).arrayBuffer())
  const networkBytes = networkFile === null ? new Uint8Array(await (await fetch('/v1/network')).arrayBuffer()) : new Uint8Array(await networkFile.arrayBuffer())
  const network = parseNetwork(networkBytes)
  const cert = decodeCertificate(certBytes)
  const r = verifyCertificate(cert, network)
  const against = `${networkFile === null ? "this node's network file" : networkFile.name} (digest ${short(networkDigest(network))})`
  return r.ok
    ? { ok: true, text: `${r.status} in round ${r.round}, signed by base weight ${r.signedBaseWeight} of ${r.totalBaseWeight}: signatures, seed, quorum and verdict check against ${against}` }
    : { ok: false, text: `${r.code}: ${r.message} (against ${against})` }
}

export function CertificatePanel (props: { job: JobView }) {
  const { job } = props
  const [file, setFile] = useState<File | null>(null)
  const [outcome, setOutcome] = useState<Outcome | null>(null)
  const [busy, setBusy] = useState(false)
  if (!job.final || (job.status !== 'validated' && job.status !== 'rejected')) return html`<p class="note">A certificate exists once the job is final as validated or rejected (now ${job.status}).</p>`
  const verify = (): void => {
    setBusy(true); setOutcome(null)
    check(job.jobId, file).then(setOutcome, (e: Error & { code?: string }) => { setOutcome({ ok: false, text: `${e.code ?? 'error'}: ${e.message}` }) }).finally(() => { setBusy(false) })
  }
  return html`<p><a class="button" href=${`/v1/jobs/${job.jobId}/certificate`} download=${`certificate-${job.jobId.slice(0, 12)}.json`} data-testid="certificate-download">Download certificate</a>
    <button id="verify-certificate" onClick=${verify} disabled=${busy}>Verify here</button>
    <label> against <input type="file" accept=".json,application/json" aria-label="network file to verify against (optional)"
      onChange=${(e: Event) => { setFile((e.target as HTMLInputElement).files?.[0] ?? null) }} /></label>
    <span class="note">(this node's network file when none is chosen; offline: <code>trust-engine certificate verify FILE --network network.json</code>)</span></p>
    ${outcome === null ? null : html`<p class=${outcome.ok ? 'ok' : 'error'} role="status" data-testid="certificate-result">${outcome.ok ? 'valid' : 'INVALID'}: ${outcome.text}</p>`}`
}
