/**
 * Optimizer benchmark. On generated scenes of about 50K and 200K triangles
 * (subdivided grids with a PNG texture), in one run:
 * - our `optimizeScene` against gltfpack (its WebAssembly library, in process,
 *   so neither side pays a process start) at the same simplification ratio and
 *   error bound: median wall time, output triangles and output bytes;
 * - scene analysis throughput (MB/s) against plain glTF-Transform
 *   `NodeIO.readBinary` of the same bytes (the parse that analysis builds on).
 */
import { NodeIO } from '@gltf-transform/core'
import { pack } from 'gltfpack'
import { SceneAnalyzer } from '../../node/optimizer/analyze.ts'
import { loadSceneSafely } from '../../node/optimizer/load-scene.ts'
import { optimizeScene } from '../../node/optimizer/optimize.ts'
import { measureScene } from '../../node/optimizer/scene-stats.ts'
import { makeGlb } from '../../sim/scenes.ts'
import { type BenchResult, type BenchSuite, measureRate, median, result } from './types.ts'

/** Simplification target of both tools: keep half the triangles. */
const RATIO = 0.5
/** Error bound of both tools: 1 % of the mesh radius (gltfpack's default -se). */
const ERROR = 0.01

/** Runs gltfpack's library on GLB bytes with the given arguments and returns the output GLB. */
async function gltfpack (input: Uint8Array, args: string[]): Promise<Uint8Array> {
  let out: Uint8Array | undefined
  await pack(['-i', 'in.glb', '-o', 'out.glb', ...args], {
    read: (path: string) => { if (path !== 'in.glb') throw new Error(`gltfpack read ${path}`); return input },
    write: (path: string, data: Uint8Array) => { if (path === 'out.glb') out = data.slice() }
  })
  if (out === undefined) throw new Error('gltfpack wrote no output')
  return out
}

async function timeMedianMs (fn: () => Promise<unknown>, repetitions: number): Promise<number> {
  await fn()
  const ms: number[] = []
  for (let i = 0; i < repetitions; i++) {
    const t0 = process.hrtime.bigint()
    await fn()
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6)
  }
  return median(ms)
}

async function compare (label: string, segments: number, repetitions: number): Promise<BenchResult[]> {
  const input = await makeGlb({ grids: [segments], texture: [256, 256] })
  const options = { profile: 'gaming' as const, ratio: RATIO, error: ERROR, instancing: false as const }
  const packArgs = ['-si', String(RATIO), '-se', String(ERROR)]
  const ours = await optimizeScene(input, options)
  const theirs = await gltfpack(input, packArgs)
  const theirsTriangles = measureScene((await loadSceneSafely(theirs)).document, theirs.byteLength).triangles
  const oursMs = await timeMedianMs(async () => optimizeScene(input, options), repetitions)
  const theirsMs = await timeMedianMs(async () => gltfpack(input, packArgs), repetitions)
  const n = `${label} (${ours.report.before.triangles} tris, ratio ${RATIO})`
  return [
    result(`optimize wall time ${n}`, oursMs, 'ms', 'gltfpack -si -se', theirsMs),
    result(`optimize output triangles ${n}`, ours.report.after.triangles, 'triangles', 'gltfpack -si -se', theirsTriangles),
    result(`optimize output bytes ${n}`, ours.bytes.byteLength, 'bytes', 'gltfpack -si -se', theirs.byteLength)
  ]
}

async function analysisThroughput (): Promise<BenchResult> {
  const input = await makeGlb({ grids: [316], texture: [256, 256] })
  const mb = input.byteLength / 1e6
  const io = new NodeIO()
  // A fresh analyzer per run: the content-hash cache would otherwise answer from memory.
  const ours = await measureRate(mb, async () => new SceneAnalyzer({ cacheSize: 1 }).analyze(input))
  const base = await measureRate(mb, async () => io.readBinary(input))
  return result(`scene analysis (${mb.toFixed(1)} MB GLB)`, ours, 'MB/s', 'NodeIO.readBinary', base)
}

/** The optimizer suite. */
export const optimizerSuite: BenchSuite = {
  name: 'optimizer',
  run: async () => [
    ...await compare('50K', 158, 5),
    ...await compare('200K', 316, 3),
    await analysisThroughput()
  ]
}
