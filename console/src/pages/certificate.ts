/**
 * The certificate of a final job: download it, and verify it here, offline,
 * with the protocol's own code (protocol/certificate-verify.ts, bundled):
 * the signed job, every vote's signature, the seed certificate, the
 * weights above two thirds and the recomputed verdict, against this node's
 * network file or one the reader gives (the stronger check: a file the
 * reader holds, not one the node serves). The certificate checked is the
 * node's copy, or a file the reader holds (one downloaded here earlier, or
 * received from anyone), which must be of this job.
 */
import { useState } from 'preact/hooks'
import { decodeCertificate } from '../../../protocol/certificate.ts'
import { ERR_CERT_JOB, verifyCertificate } from '../../../protocol/certificate-verify.ts'
import { MAX_CERTIFICATE_BYTES } from '../../../protocol/constants.ts'
import { ERR_TOO_LARGE } from '../../../protocol/decode.ts'
import { TrustEngineError } from '../../../protocol/errors.ts'
import { networkDigest, parseNetwork } from '../../../protocol/network.ts'
import { html, short } from '../html.ts'
import type { JobView } from '../types.ts'

interface Outcome { ok: boolean, text: string }

/** A certificate file's bytes, refused before reading when larger than any certificate may be (as `decodeCertificate` would). */
async function certificateFileBytes (file: File): Promise<Uint8Array> {
  if (file.size > MAX_CERTIFICATE_BYTES) throw new TrustEngineError(ERR_TOO_LARGE, `${file.name}: ${file.size} bytes exceeds the limit of ${MAX_CERTIFICATE_BYTES}`)
  return new Uint8Array(await file.arrayBuffer())
}

async function check (jobId: string, certFile: File | null, networkFile: File | null): Promise<Outcome> {
  const certBytes = certFile === null ? new Uint8Array(await (await fetch(`/v1/jobs/${jobId}/certificate`)).arrayBuffer()) : await certificateFileBytes(certFile)
  const networkBytes = networkFile === null ? new Uint8Array(await (await fetch('/v1/network')).arrayBuffer()) : new Uint8Array(await networkFile.arrayBuffer())
  const network = parseNetwork(networkBytes)
  const cert = decodeCertificate(certBytes)
  const which = certFile === null ? "the node's certificate" : certFile.name
  if (cert.jobId !== jobId) return { ok: false, text: `${ERR_CERT_JOB}: ${which} certifies job ${short(cert.jobId)}, not this job` }
  const r = verifyCertificate(cert, network)
  const against = `${networkFile === null ? "this node's network file" : networkFile.name} (digest ${short(networkDigest(network))})`
  return r.ok
    ? { ok: true, text: `${r.status} in round ${r.round}, signed by base weight ${r.signedBaseWeight} of ${r.totalBaseWeight}: signatures, seed, quorum and verdict of ${which} check against ${against}${r.caveats.length === 0 ? '' : `; caveats (not rendered): ${r.caveats.join(', ')}`}` }
    : { ok: false, text: `${r.code}: ${r.message} (${which} against ${against})` }
}

export function CertificatePanel (props: { job: JobView }) {
  const { job } = props
  const [file, setFile] = useState<File | null>(null)
  const [certFile, setCertFile] = useState<File | null>(null)
  const [outcome, setOutcome] = useState<Outcome | null>(null)
  const [busy, setBusy] = useState(false)
  if (!job.final || (job.status !== 'validated' && job.status !== 'rejected')) return html`<p class="note">A certificate exists once the job is final as validated or rejected (now ${job.status}).</p>`
  const verify = (): void => {
    setBusy(true); setOutcome(null)
    check(job.jobId, certFile, file).then(setOutcome, (e: Error & { code?: string }) => { setOutcome({ ok: false, text: `${e.code ?? 'error'}: ${e.message}` }) }).finally(() => { setBusy(false) })
  }
  return html`<p><a class="button" href=${`/v1/jobs/${job.jobId}/certificate`} download=${`certificate-${job.jobId.slice(0, 12)}.json`} data-testid="certificate-download">Download certificate</a>
    <button id="verify-certificate" onClick=${verify} disabled=${busy}>Verify here</button>
    <label> the certificate in <input type="file" accept=".json,application/json" aria-label="certificate file to verify (optional)"
      onChange=${(e: Event) => { setCertFile((e.target as HTMLInputElement).files?.[0] ?? null); setOutcome(null) }} /></label>
    <label> against <input type="file" accept=".json,application/json" aria-label="network file to verify against (optional)"
      onChange=${(e: Event) => { setFile((e.target as HTMLInputElement).files?.[0] ?? null); setOutcome(null) }} /></label>
    <span class="note">(the node's certificate and network file when none is chosen; offline: <code>trust-engine certificate verify FILE --network network.json</code>)</span></p>
    ${outcome === null ? null : html`<p class=${outcome.ok ? 'ok' : 'error'} role="status" data-testid="certificate-result">${outcome.ok ? 'valid' : 'INVALID'}: ${outcome.text}</p>`}`
}
