/** The certificate of a final job: download it as a file (to check offline with `trust-engine certificate verify`). */
import { html } from '../html.ts'
import type { JobView } from '../types.ts'

export function CertificatePanel (props: { job: JobView }) {
  const { job } = props
  if (!job.final || (job.status !== 'validated' && job.status !== 'rejected')) return html`<p class="note">A certificate exists once the job is final as validated or rejected (now ${job.status}).</p>`
  return html`<p><a class="button" href=${`/v1/jobs/${job.jobId}/certificate`} download=${`certificate-${job.jobId.slice(0, 12)}.json`} data-testid="certificate-download">Download certificate</a>
    <span class="note"> check it offline: <code>trust-engine certificate verify FILE --network network.json</code></span></p>`
}
