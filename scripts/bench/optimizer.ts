/**
 * Optimizer benchmark, beside gltfpack (npm, WebAssembly) in the same run, on
 * generated scenes shaped like real ones (optimizer-scenes.ts: textured PBR
 * with JPEG textures, many small meshes with shared instances, a dense
 * character-like mesh):
 * - output bytes at the same triangle count: gltfpack runs first with
 *   `-si 0.5 -se 0.01`; ours then runs with the same ratio and error bound
 *   (gaming profile), plain against gltfpack plain, and
 *   with EXT_meshopt_compression against `gltfpack -cc`; these rows keep
 *   ours to PNG/JPEG textures (`--texture-format core`); ours re-encodes the
 *   PBR scene's JPEGs at the profile's qualities, which gltfpack's npm build
 *   does not do, so the PBR scene also gets the same rows with the textures
 *   kept as they are (`--texture-quality lossless`: gltfpack's work);
 * - on the PBR scene, the same with WebP on (EXT_texture_webp, the gaming
 *   profile's default): gltfpack's npm build has no texture compression
 *   (`-tw` and `-tc` need its native build), so it keeps the JPEGs: WebP
 *   against gltfpack plain and `-cc`, bytes and whole process (alternated, as below);
 * - triangles kept on the dense scene when both are asked for 1 % within
 *   1 % (where seams or the error bound stop each simplifier);
 * - wall time per whole process: `trust-engine optimize` against the
 *   gltfpack command, each a fresh Node process, alternated (one of each per
 *   round), median of 3, and the CPU
 *   time of the same processes (user + system, reported by each process on
 *   exit: lib/cpu-report.cjs), which a busy shared machine moves less; plus the
 *   start-up: `trust-engine --version` against `node -e 0`, and the whole
 *   process of both tools on a 2-triangle scene (median of 5), ours also
 *   against itself loading the sources instead of its bundle
 *   (`TRUST_ENGINE_BUNDLE=0`, alternated);
 * - `optimize --target ssim=0.98,psnr=35` on the PBR scene: output bytes
 *   against the input and search time against one plain optimization;
 * - scene analysis throughput (MB/s) against plain glTF-Transform
 *   `NodeIO.readBinary` of the same bytes (the parse that analysis builds on).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NodeIO } from '@gltf-transform/core'
import { pack } from 'gltfpack'
import { SceneAnalyzer } from '../../node/optimizer/analyze.ts'
import { loadSceneSafely } from '../../node/scene/load-scene.ts'
import { optimizeScene } from '../../node/optimizer/optimize.ts'
import { optimizeToTarget } from '../../node/optimizer/optimize-to-target.ts'
import { measureScene } from '../../node/scene/scene-stats.ts'
import { makeGlb } from '../../sim/scenes.ts'
import { nodeBinary, REPO_ROOT } from './lib/processes.ts'
import { denseScene, pbrScene, shapesScene } from './optimizer-scenes.ts'
import { type BenchResult, type BenchSuite, measureRate, median, result } from './types.ts'

/** gltfpack's simplification target in every comparison: keep half the triangles. */
const RATIO = 0.5
/** Error bound of both tools: 1 % of the mesh radius (gltfpack's default -se). */
const ERROR = 0.01
/** Whole-process timings per tool and scene (median taken). */
const PROCESS_RUNS = 3

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

async function triangles (bytes: Uint8Array): Promise<number> {
  return measureScene((await loadSceneSafely(bytes)).document, bytes.byteLength).triangles
}

/** Median wall time of `runs` whole processes of `args` under Node 22, in ms. */
function processMs (args: string[], runs = PROCESS_RUNS): number {
  return processTimes(args, runs).wallMs
}

/** Preload that reports a process's CPU time on exit (lib/cpu-report.cjs). */
const CPU_REPORT = join(REPO_ROOT, 'scripts', 'bench', 'lib', 'cpu-report.cjs')

/** Median wall time and median CPU time (user + system, all threads) of `runs` whole processes of `args`, in ms. */
function processTimes (args: string[], runs = PROCESS_RUNS, env: Record<string, string> = {}): { wallMs: number, cpuMs: number } {
  return processTimesAlternated([args], runs, env)[0]!
}

/**
 * {@link processTimes} of several commands run in alternation (one process of each per round), so that a change of
 * the shared machine's load falls on all of them alike; medians in the order given.
 */
function processTimesAlternated (commands: string[][], runs = PROCESS_RUNS, env: Record<string, string> = {}): Array<{ wallMs: number, cpuMs: number }> {
  const wall: number[][] = commands.map(() => [])
  const cpu: number[][] = commands.map(() => [])
  const dir = mkdtempSync(join(tmpdir(), 'trust-engine-bench-cpu-'))
  try {
    for (let i = 0; i < runs; i++) {
      for (const [k, args] of commands.entries()) {
        const file = join(dir, `cpu-${i}-${k}`)
        const t0 = process.hrtime.bigint()
        execFileSync(nodeBinary(), ['-r', CPU_REPORT, ...args], { cwd: REPO_ROOT, stdio: 'ignore', env: { ...process.env, ...env, TRUST_ENGINE_BENCH_CPU_FILE: file } })
        wall[k]!.push(Number(process.hrtime.bigint() - t0) / 1e6)
        cpu[k]!.push(Number(readFileSync(file, 'utf8')))
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return commands.map((_, k) => ({ wallMs: median(wall[k]!), cpuMs: median(cpu[k]!) }))
}

/**
 * Ours against gltfpack on one scene at the same ratio and error: triangles, output bytes plain and meshopt, whole
 * process and its CPU time. `keepTextures` adds `--texture-quality lossless`: with the gaming profile's 2048 px limit
 * (at or above every texture of the scenes) every JPEG is then kept as it is without being decoded, which is the
 * work gltfpack's npm build does (it copies textures); without it, ours also re-encodes the textures.
 */
async function compare (label: string, input: Uint8Array, dir: string, keepTextures = false): Promise<BenchResult[]> {
  const before = await triangles(input)
  const packArgs = ['-si', String(RATIO), '-se', String(ERROR)]
  const theirs = await gltfpack(input, packArgs)
  const theirsCc = await gltfpack(input, [...packArgs, '-cc'])
  const theirsTriangles = await triangles(theirs)
  // Ours with gltfpack's settings (ratio and error): the simplifiers now stop at the same triangle count
  // (the triangles row shows it), where matching gltfpack's achieved share made ours keep more on shapes.
  const ratio = RATIO
  const options = { profile: 'gaming' as const, ratio, error: ERROR, textureFormat: 'core' as const, ...(keepTextures ? { textureQuality: false as const } : {}) }
  const ours = await optimizeScene(input, { ...options, meshopt: false })
  const oursMeshopt = await optimizeScene(input, { ...options, meshopt: true })
  const file = keepTextures ? `${label}-kept` : label
  const inPath = join(dir, `${file}.glb`)
  writeFileSync(inPath, input)
  const [oursT, theirsT] = processTimesAlternated([
    [join(REPO_ROOT, 'bin', 'trust-engine.js'), 'optimize', inPath, '-o', join(dir, `${file}.ours.glb`), '--profile', 'gaming', '--ratio', String(ratio), '--error', String(ERROR), '--texture-format', 'core', ...(keepTextures ? ['--texture-quality', 'lossless'] : [])],
    [join(REPO_ROOT, 'node_modules', 'gltfpack', 'cli.js'), '-i', inPath, '-o', join(dir, `${file}.gltfpack.glb`), ...packArgs, '-cc']
  ]) as [{ wallMs: number, cpuMs: number }, { wallMs: number, cpuMs: number }]
  const n = `${label}${keepTextures ? ', textures kept (gltfpack\'s work)' : ''} (${before} tris, ${input.byteLength} B)`
  return [
    result(`optimize output triangles ${n}`, ours.report.after.triangles, 'triangles', 'gltfpack -si 0.5 -se 0.01', theirsTriangles),
    result(`optimize output bytes, plain ${n}`, ours.bytes.byteLength, 'bytes', 'gltfpack -si 0.5 -se 0.01', theirs.byteLength),
    result(`optimize output bytes, meshopt ${n}`, oursMeshopt.bytes.byteLength, 'bytes', 'gltfpack ... -cc', theirsCc.byteLength),
    result(`optimize whole process ${n}`, oursT.wallMs, 'ms', 'gltfpack ... -cc process', theirsT.wallMs),
    result(`optimize whole process CPU time ${n}`, oursT.cpuMs, 'ms', 'gltfpack ... -cc process CPU time', theirsT.cpuMs)
  ]
}

/** The PBR scene with WebP textures on, against gltfpack plain and -cc (which keep the JPEGs: no texture compression in its npm build). */
async function webpRows (input: Uint8Array, dir: string): Promise<BenchResult[]> {
  const before = await triangles(input)
  const packArgs = ['-si', String(RATIO), '-se', String(ERROR)]
  const theirs = await gltfpack(input, packArgs)
  const theirsCc = await gltfpack(input, [...packArgs, '-cc'])
  const ratio = Math.min(1, Math.max(0.001, (await triangles(theirs)) / before))
  const options = { profile: 'gaming' as const, ratio, error: ERROR, textureFormat: 'webp' as const }
  const plain = await optimizeScene(input, { ...options, meshopt: false })
  const meshopt = await optimizeScene(input, { ...options, meshopt: true })
  const inPath = join(dir, 'pbr-webp.glb')
  writeFileSync(inPath, input)
  const [oursT, theirsT] = processTimesAlternated([
    [join(REPO_ROOT, 'bin', 'trust-engine.js'), 'optimize', inPath, '-o', join(dir, 'pbr.webp.glb'), '--profile', 'gaming', '--ratio', String(ratio), '--error', String(ERROR), '--texture-format', 'webp'],
    [join(REPO_ROOT, 'node_modules', 'gltfpack', 'cli.js'), '-i', inPath, '-o', join(dir, 'pbr.gltfpack-cc.glb'), ...packArgs, '-cc']
  ]) as [{ wallMs: number, cpuMs: number }, { wallMs: number, cpuMs: number }]
  const n = `pbr (${before} tris, ${input.byteLength} B)`
  return [
    result(`optimize output bytes, WebP textures, plain ${n}`, plain.bytes.byteLength, 'bytes', 'gltfpack -si 0.5 -se 0.01 (JPEGs kept)', theirs.byteLength),
    result(`optimize output bytes, WebP textures, meshopt ${n}`, meshopt.bytes.byteLength, 'bytes', 'gltfpack ... -cc (JPEGs kept)', theirsCc.byteLength),
    result(`optimize whole process, WebP textures ${n}`, oursT.wallMs, 'ms', 'gltfpack ... -cc process', theirsT.wallMs),
    result(`optimize whole process CPU time, WebP textures ${n}`, oursT.cpuMs, 'ms', 'gltfpack ... -cc process CPU time', theirsT.cpuMs)
  ]
}

/** Triangles kept when both tools are asked for 1 % within the 1 % error: where the error bound (or a seam) stops each. */
async function deepSimplification (label: string, input: Uint8Array): Promise<BenchResult> {
  const theirs = await triangles(await gltfpack(input, ['-si', '0.01', '-se', String(ERROR)]))
  const ours = await optimizeScene(input, { profile: 'gaming', ratio: 0.01, error: ERROR })
  return result(`simplify to 1 % within 1 %, triangles kept, ${label} (${ours.report.before.triangles} tris)`, ours.report.after.triangles, 'triangles', 'gltfpack -si 0.01 -se 0.01', theirs)
}

async function startUp (dir: string): Promise<BenchResult[]> {
  const ours = processMs([join(REPO_ROOT, 'bin', 'trust-engine.js'), '--version'], 5)
  const bare = processMs(['-e', '0'], 5)
  // A 2-triangle scene: the whole process is start-up (module loading), for both tools.
  const tiny = join(dir, 'tiny.glb')
  writeFileSync(tiny, await makeGlb({ grids: [1] }))
  const optimizeTiny = [join(REPO_ROOT, 'bin', 'trust-engine.js'), 'optimize', tiny, '-o', join(dir, 'tiny.ours.glb'), '--profile', 'gaming']
  processMs(optimizeTiny, 1) // builds the command's bundle if it is missing or stale (bin/bundle-cache.js), outside the timing
  // Bundled and from the sources (TRUST_ENGINE_BUNDLE=0), alternated, so both see the same machine load.
  const bundled: number[] = []
  const sources: number[] = []
  for (let i = 0; i < 5; i++) {
    bundled.push(processMs(optimizeTiny, 1))
    sources.push(processTimes(optimizeTiny, 1, { TRUST_ENGINE_BUNDLE: '0' }).wallMs)
  }
  const oursTiny = median(bundled)
  const theirsTiny = processMs([join(REPO_ROOT, 'node_modules', 'gltfpack', 'cli.js'), '-i', tiny, '-o', join(dir, 'tiny.gltfpack.glb'), '-cc'], 5)
  return [
    result('CLI start-up (optimize of a 2-triangle scene, whole process)', oursTiny, 'ms', 'the same from the sources (TRUST_ENGINE_BUNDLE=0)', median(sources)),
    result('CLI start-up (trust-engine --version)', ours, 'ms', 'node -e 0', bare),
    result('CLI start-up (optimize of a 2-triangle scene, whole process)', oursTiny, 'ms', 'gltfpack -cc, same scene', theirsTiny),
    result('CLI start-up (optimize of a 2-triangle scene, whole process)', oursTiny, 'ms', 'node -e 0', bare)
  ]
}

async function target (input: Uint8Array): Promise<BenchResult[]> {
  const t0 = process.hrtime.bigint()
  const r = await optimizeToTarget(input, { ssimMin: 0.98, psnrMin: 35 }, { profile: 'gaming' })
  const searchMs = Number(process.hrtime.bigint() - t0) / 1e6
  const t1 = process.hrtime.bigint()
  await optimizeScene(input, { profile: 'gaming' })
  const plainMs = Number(process.hrtime.bigint() - t1) / 1e6
  const best = r.search.steps.find((s) => s.rung === r.search.chosen)!
  return [
    result(`optimize --target ssim=0.98,psnr=35 output bytes, pbr (rung ${r.search.chosen}, ssim ${best.ssim.toFixed(4)}, psnr ${best.psnr.toFixed(1)}, ${r.search.steps.length} measured)`, r.bytes.byteLength, 'bytes', 'input bytes', input.byteLength),
    result('optimize --target search time, pbr', searchMs, 'ms', 'one gaming optimization', plainMs)
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
  run: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trust-engine-bench-optimizer-'))
    try {
      const pbr = await pbrScene()
      const dense = await denseScene()
      return [
        ...await compare('pbr', pbr, dir),
        ...await compare('pbr', pbr, dir, true),
        ...await webpRows(pbr, dir),
        ...await compare('shapes', await shapesScene(), dir),
        ...await compare('dense', dense, dir),
        await deepSimplification('dense', dense),
        ...await startUp(dir),
        ...await target(pbr),
        await analysisThroughput()
      ]
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
