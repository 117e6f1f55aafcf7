/**
 * The certificate of a final job: download it, and verify it here, offline,
 * with the protocol's own code (protocol/certificate-verify.ts, bundled):
 * the signed job, every vote's signature, the seed certificate, the
 * weights above two thirds and the recomputed verdict, against this node's
 * network file or one the reader gives (the stronger check: a file the
 * reader holds, not one the node serves). The certificate checked is the
 * node's copy, or a file the reader holds (one downloaded here earlier, or
 * received from anyone), which must be of this job. The panel shows the
 * job's thresholds, which a verdict follows from, and the network's floor
 * of them (`minThresholds`) or that it has none (thresholds.ts); a checked
 * certificate's result names the thresholds it carries and the floor of the
 * network file it was checked against.
 */
import { useEffect, useState } from 'preact/hooks'
import { decodeCertificate } from '../../../protocol/certificate.ts'
import { ERR_CERT_JOB, verifyCertificate } from '../../../protocol/certificate-verify.ts'
import { MAX_CERTIFICATE_BYTES } from '../../../protocol/constants.ts'
import { ERR_TOO_LARGE } from '../../../protocol/decode.ts'
import { TrustEngineError } from '../../../protocol/errors.ts'
import type { Thresholds } from '../../../protocol/metrics.ts'
import { networkDigest, parseNetwork } from '../../../protocol/network.ts'
import { get } from '../api.ts'
import { html, short } from '../html.ts'
import { belowFloorOf, floorText, thresholdsText } from '../thresholds.ts'
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
  const under = `under the job's thresholds ${thresholdsText(cert.job.thresholds)}; ${network.minThresholds === undefined ? 'that network file sets no minimum' : `that network file's minimum: ${thresholdsText(network.minThresholds)}`}`
  return r.ok
    ? { ok: true, text: `${r.status} in round ${r.round}, signed by base weight ${r.signedBaseWeight} of ${r.totalBaseWeight}: signatures, seed, quorum and verdict of ${which} check against ${against}, ${under}${r.caveats.length === 0 ? '' : `; caveats (not rendered): ${r.caveats.join(', ')}`}` }
    : { ok: false, text: `${r.code}: ${r.message} (${which} against ${against}, ${under})` }
}

/** The job's thresholds and the floor of this node's network file (read once), above the certificate's controls. */
function ThresholdsNote (props: { thresholds: Thresholds }) {
  // undefined: not read (yet, or the read failed); null: read, no floor.
  const [floor, setFloor] = useState<Thresholds | null | undefined>(undefined)
  useEffect(() => {
    let live = true
    get<unknown>('/v1/network').then((n) => { if (live) setFloor(parseNetwork(n).minThresholds ?? null) }, () => { /* no floor shown: the node's network file could not be read */ })
    return () => { live = false }
  }, [])
  const below = floor === undefined || floor === null ? [] : belowFloorOf(props.thresholds, floor)
  return html`<p class="note" data-testid="certificate-thresholds">Thresholds of this job (chosen by its submitter; the verdict follows from them): <strong>${thresholdsText(props.thresholds)}</strong>.
    ${floor === undefined ? null : floorText(floor ?? undefined)}
    ${below.length === 0 ? null : html` <span class="error">Below the minimum in ${below.join(', ')}: this job is not valid in this network.</span>`}</p>`
}

export function CertificatePanel (props: { job: JobView }) {
  const { job } = props
  const [file, setFile] = useState<File | null>(null)
  const [certFile, setCertFile] = useState<File | null>(null)
  const [outcome, setOutcome] = useState<Outcome | null>(null)
  const [busy, setBusy] = useState(false)
  const thresholds = html`<${ThresholdsNote} thresholds=${job.thresholds} />`
  if (!job.final || (job.status !== 'validated' && job.status !== 'rejected')) return html`${thresholds}<p class="note">A certificate exists once the job is final as validated or rejected (now ${job.status}).</p>`
  const verify = (): void => {
    setBusy(true); setOutcome(null)
    check(job.jobId, certFile, file).then(setOutcome, (e: Error & { code?: string }) => { setOutcome({ ok: false, text: `${e.code ?? 'error'}: ${e.message}` }) }).finally(() => { setBusy(false) })
  }
  return html`${thresholds}<p><a class="button" href=${`/v1/jobs/${job.jobId}/certificate`} download=${`certificate-${job.jobId.slice(0, 12)}.json`} data-testid="certificate-download">Download certificate</a>
    <button id="verify-certificate" onClick=${verify} disabled=${busy}>Verify here</button>
    <label> the certificate in <input type="file" accept=".json,application/json" aria-label="certificate file to verify (optional)"
      onChange=${(e: Event) => { setCertFile((e.target as HTMLInputElement).files?.[0] ?? null); setOutcome(null) }} /></label>
    <label> against <input type="file" accept=".json,application/json" aria-label="network file to verify against (optional)"
      onChange=${(e: Event) => { setFile((e.target as HTMLInputElement).files?.[0] ?? null); setOutcome(null) }} /></label>
    <span class="note">(the node's certificate and network file when none is chosen; offline: <code>trust-engine certificate verify FILE --network network.json</code>)</span></p>
    ${outcome === null ? null : html`<p class=${outcome.ok ? 'ok' : 'error'} role="status" data-testid="certificate-result">${outcome.ok ? 'valid' : 'INVALID'}: ${outcome.text}</p>`}`
}
