/**
 * Submit: drop reference and candidate frames (PNG), or a GLB scene with or
 * without a candidate GLB; choose thresholds and the vote deadline (and the
 * optimizer profile for a scene without a candidate); watch the upload, the announcement and the
 * votes arriving; see the result. Files are checked here before any upload
 * (type by signature, size, frame counts), and thresholds against the
 * network's floor (`minThresholds`); the node checks them again.
 */
import { useState } from 'preact/hooks'
import { parseNetwork } from '../../../protocol/network.ts'
import { ApiError, get, post, uploadBlob } from '../api.ts'
import { html, num } from '../html.ts'
import { useEvent } from '../live.ts'
import { floorProblems } from '../thresholds.ts'
import type { JobView } from '../types.ts'

/** The node's default blob limit (DEFAULT_API_OPTIONS.maxBlobBytes). */
const MAX_BYTES = 64 * 1024 * 1024
/** MAX_JOB_BLOBS per side (protocol/constants.ts). */
const MAX_FRAMES = 256
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const GLB = [0x67, 0x6c, 0x54, 0x46]

type FileKind = 'png' | 'glb'

async function kindOf (f: File): Promise<FileKind | null> {
  const head = new Uint8Array(await f.slice(0, 8).arrayBuffer())
  if (PNG.every((b, i) => head[i] === b)) return 'png'
  if (GLB.every((b, i) => head[i] === b)) return 'glb'
  return null
}

interface Picked { files: File[], kind: FileKind | null }

function DropZone (props: { label: string, id: string, picked: Picked, onPick: (files: File[]) => void }) {
  const [over, setOver] = useState(false)
  return html`<div class=${over ? 'drop over' : 'drop'}
      onDragOver=${(e: DragEvent) => { e.preventDefault(); setOver(true) }}
      onDragLeave=${() => { setOver(false) }}
      onDrop=${(e: DragEvent) => { e.preventDefault(); setOver(false); props.onPick([...(e.dataTransfer?.files ?? [])]) }}>
    <label for=${props.id}>${props.label}</label>
    <input id=${props.id} type="file" multiple accept=".png,.glb,image/png,model/gltf-binary"
      onChange=${(e: Event) => { props.onPick([...((e.target as HTMLInputElement).files ?? [])]) }} />
    <p class="note">${props.picked.files.length === 0 ? 'drop files here or choose them' : `${props.picked.files.length} ${props.picked.kind ?? ''} file(s): ${props.picked.files.map((f) => f.name).join(', ')}`}</p>
  </div>`
}

export function SubmitPage () {
  const [reference, setReference] = useState<Picked>({ files: [], kind: null })
  const [candidate, setCandidate] = useState<Picked>({ files: [], kind: null })
  const [ssimMin, setSsimMin] = useState('')
  const [psnrMin, setPsnrMin] = useState('')
  const [deadlineS, setDeadlineS] = useState('')
  const [profile, setProfile] = useState('balanced')
  const [problems, setProblems] = useState<string[]>([])
  const [stage, setStage] = useState<string>('')
  const [progress, setProgress] = useState(0)
  const [job, setJob] = useState<JobView | null>(null)
  const [votes, setVotes] = useState(0)
  const [busy, setBusy] = useState(false)

  const pick = (set: (p: Picked) => void) => async (files: File[]) => {
    const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    const kinds = await Promise.all(sorted.map(kindOf))
    const bad = sorted.filter((_, i) => kinds[i] === null).map((f) => `${f.name}: not a PNG image or a GLB scene`)
    const big = sorted.filter((f) => f.size > MAX_BYTES).map((f) => `${f.name}: larger than the node's 64 MiB limit`)
    const mixed = new Set(kinds.filter((k) => k !== null)).size > 1 ? ['give PNG frames or one GLB scene, not both'] : []
    setProblems([...bad, ...big, ...mixed])
    set({ files: sorted, kind: bad.length === 0 && mixed.length === 0 ? (kinds[0] ?? null) : null })
    setJob(null); setStage('')
  }

  const check = (): string[] => {
    const p: string[] = []
    if (reference.files.length === 0 || reference.kind === null) p.push('drop the reference frames (PNG) or the original scene (GLB)')
    if (reference.kind === 'png') {
      if (candidate.kind !== 'png' || candidate.files.length !== reference.files.length) p.push(`a frames job needs one candidate PNG per reference frame (${reference.files.length})`)
      if (reference.files.length > MAX_FRAMES) p.push(`at most ${MAX_FRAMES} frames per side`)
    }
    if (reference.kind === 'glb') {
      if (reference.files.length !== 1) p.push('a scene job has exactly one original scene')
      if (candidate.files.length > 1 || (candidate.files.length === 1 && candidate.kind !== 'glb')) p.push('a scene job takes at most one candidate GLB')
    }
    for (const [name, v, lo, hi] of [['SSIM threshold', ssimMin, -1, 1], ['PSNR threshold', psnrMin, 0, 1000]] as const) {
      if (v !== '' && !(Number(v) >= lo && Number(v) <= hi)) p.push(`${name} must be a number in [${lo}, ${hi}]`)
    }
    // The network's bounds on deadlines are the node's check (ERR_JOB_DEADLINE); here only the form.
    if (deadlineS !== '' && !(Number.isInteger(Number(deadlineS)) && Number(deadlineS) >= 1)) p.push('the vote deadline must be a whole number of seconds, at least 1')
    return p
  }

  useEvent('vote', (e: { jobId: string }) => { if (job !== null && e.jobId === job.jobId) setVotes((n) => n + 1) }, [job?.jobId])
  useEvent('job', (e: { jobId: string, final: boolean }) => {
    if (job !== null && e.jobId === job.jobId && e.final) {
      fetch(`/v1/jobs/${job.jobId}`).then(async (r) => await r.json()).then((v: JobView) => { setJob(v); setStage('final') }, () => {})
    }
  }, [job?.jobId])

  const submit = async (): Promise<void> => {
    const p = check()
    setProblems(p)
    if (p.length > 0) return
    setBusy(true); setJob(null); setVotes(0)
    try {
      const thresholds: Record<string, number> = {}
      if (ssimMin !== '') thresholds.ssimMin = Number(ssimMin)
      if (psnrMin !== '') thresholds.psnrMin = Number(psnrMin)
      if (Object.keys(thresholds).length > 0) {
        // The network's floor of job thresholds (minThresholds), checked before any upload: the node would refuse the job.
        const network = parseNetwork(await get<unknown>('/v1/network'))
        const below = floorProblems(thresholds, network.thresholds, network.minThresholds)
        if (below.length > 0) { setProblems(below); setStage(''); return }
      }
      const all = [...reference.files, ...candidate.files]
      const total = all.reduce((n, f) => n + f.size, 0)
      let done = 0
      const hashes: string[] = []
      for (const [i, f] of all.entries()) {
        setStage(`uploading ${i + 1} of ${all.length}: ${f.name}`)
        hashes.push(await uploadBlob(f, (sent) => { setProgress((done + sent) / total) }))
        done += f.size
      }
      setProgress(1)
      setStage('announcing')
      const kind = reference.kind === 'glb' ? 'scene' : 'frames'
      const body: Record<string, unknown> = { kind, reference: hashes.slice(0, reference.files.length), candidate: hashes.slice(reference.files.length) }
      if (Object.keys(thresholds).length > 0) body.thresholds = thresholds
      if (kind === 'scene' && candidate.files.length === 0) body.profile = profile
      if (deadlineS !== '') body.deadlineMs = Number(deadlineS) * 1000
      const created = await post<JobView & { scheduleId?: string }>('/v1/jobs', body)
      if (created.scheduleId !== undefined) { setStage(`deferred to the cheapest slot: schedule ${created.scheduleId}`); return }
      setJob(created)
      setStage(created.final ? 'final' : 'announced: waiting for votes')
    } catch (err) {
      const e = err as ApiError
      setProblems([e.code === 'ERR_UNAUTHORIZED' ? 'the node needs its API token for writes: enter it at the top right' : `${e.code ?? 'error'}: ${e.message}`])
      setStage('')
    } finally {
      setBusy(false)
    }
  }

  return html`
    <h1>Submit</h1>
    <div class="drops">
      <${DropZone} id="reference-files" label="Reference frames (PNG) or original scene (GLB)" picked=${reference} onPick=${pick(setReference)} />
      <${DropZone} id="candidate-files" label="Candidate frames (PNG) or optimized scene (GLB, optional)" picked=${candidate} onPick=${pick(setCandidate)} />
    </div>
    <fieldset><legend>Thresholds and deadline (the network's when empty)</legend>
      <label>SSIM ≥ <input id="ssim-min" inputmode="decimal" value=${ssimMin} onInput=${(e: Event) => { setSsimMin((e.target as HTMLInputElement).value) }} /></label>
      <label>PSNR ≥ <input id="psnr-min" inputmode="decimal" value=${psnrMin} onInput=${(e: Event) => { setPsnrMin((e.target as HTMLInputElement).value) }} /> dB</label>
      <label>Vote deadline <input id="deadline-s" inputmode="numeric" value=${deadlineS} onInput=${(e: Event) => { setDeadlineS((e.target as HTMLInputElement).value.trim()) }} /> s</label>
      ${reference.kind === 'glb' && candidate.files.length === 0
        ? html`<label>Optimizer profile <select value=${profile} onChange=${(e: Event) => { setProfile((e.target as HTMLSelectElement).value) }}>
            ${['balanced', 'quality', 'economy', 'realtime', 'archviz'].map((p) => html`<option value=${p}>${p}</option>`)}</select></label>`
        : null}
    </fieldset>
    <button id="submit-job" disabled=${busy} onClick=${() => { void submit() }}>Submit job</button>
    ${problems.length === 0 ? null : html`<ul class="error" role="alert">${problems.map((p) => html`<li>${p}</li>`)}</ul>`}
    ${stage === '' ? null : html`<div class="progress" data-testid="submit-progress">
      <progress max="1" value=${progress}></progress> <span>${stage}</span>
      ${job === null ? null : html`<p>Job <a href="#/job/${job.jobId}" data-testid="job-link"><code>${job.jobId.slice(0, 16)}…</code></a> · ${job.status} · ${votes} vote${votes === 1 ? '' : 's'} arrived
        ${job.final ? html` · SSIM ${num(job.values?.ssim ?? null)} · PSNR ${num(job.values?.psnr ?? null, 2)} dB` : null}</p>`}
    </div>`}`
}
