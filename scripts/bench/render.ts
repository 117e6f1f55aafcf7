/**
 * Renderer throughput: triangles per second on generated height-field meshes
 * of 10k, 100k and 1M triangles (256 × 256 views), beside the geometry
 * ceiling measured in the same run — a plain loop that only transforms the
 * same vertices by a 4 × 4 matrix — and shaded pixels per second on a
 * fill-bound view (1024 × 1024), beside a plain fill of the same number of
 * pixels into a colour and depth buffer. The 1M case is a single render.
 * Scene measurements: a 100k-triangle PBR scene at the defaults, and the
 * verification scene with regions cropped, zoomed (defaults) and at 512 × 512.
 */
import { Document, Logger } from '@gltf-transform/core'
import { type MeasureScenesOptions, measureScenes } from '../../node/render/measure-scene.ts'
import { renderScene } from '../../node/render/render.ts'
import { createSceneIO } from '../../node/scene/load-scene.ts'
import { pbrScene } from '../../test/node/render/pbr-scenes.ts'
import { pbrSceneGlb, REJECTED } from '../../test/node/render/verification-scenes.ts'
import { prepareScene, type PreparedScene } from '../../node/render/scene-reader.ts'
import type { Camera } from '../../node/render/camera.ts'
import { type BenchResult, type BenchSuite, measureRate, measureRatesAlternated, result } from './types.ts'

/** A height field of 2·n² triangles over [−1, 1]², heights from integer arithmetic (no trigonometry). */
function heightField (n: number): PreparedScene {
  const doc = new Document().setLogger(new Logger(Logger.Verbosity.SILENT))
  const buffer = doc.createBuffer()
  const positions = new Float32Array((n + 1) * (n + 1) * 3)
  for (let j = 0; j <= n; j++) {
    for (let i = 0; i <= n; i++) {
      const o = (j * (n + 1) + i) * 3
      positions[o] = -1 + 2 * i / n
      positions[o + 1] = -1 + 2 * j / n
      positions[o + 2] = 0.05 * (((i * 7 + j * 13) % 11) / 11)
    }
  }
  const indices = new Uint32Array(n * n * 6)
  for (let j = 0, k = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const a = j * (n + 1) + i
      indices.set([a, a + 1, a + n + 2, a, a + n + 2, a + n + 1], k)
      k += 6
    }
  }
  const prim = doc.createPrimitive()
    .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(positions).setBuffer(buffer))
    .setIndices(doc.createAccessor().setType('SCALAR').setArray(indices).setBuffer(buffer))
    .setMaterial(doc.createMaterial('m').setBaseColorFactor([0.7, 0.6, 0.5, 1]))
  const scene = doc.createScene()
  scene.addChild(doc.createNode().setMesh(doc.createMesh().addPrimitive(prim)))
  doc.getRoot().setDefaultScene(scene)
  return prepareScene(doc, { maxTexturePixels: 1 })
}

const CAMERA: Camera = { eye: [0.4, -0.6, 2.6], target: [0, 0, 0], up: [0, 1, 0], focal: 2, near: 0.01 }

/** The geometry ceiling: transform every vertex of the scene by a 4×4 matrix, nothing else. */
function transformOnly (scene: PreparedScene): () => number {
  const p = scene.nodes[0]!.primitives[0]!.positions
  const out = new Float64Array(p.length)
  const m = [0.9, 0.1, 0.2, 0, -0.1, 0.9, 0.3, 0, 0.2, -0.3, 0.9, 0, 0.1, 0.2, -2.6, 1]
  return () => {
    for (let v = 0; v < p.length; v += 3) {
      const x = p[v]!; const y = p[v + 1]!; const z = p[v + 2]!
      out[v] = m[0]! * x + m[4]! * y + m[8]! * z + m[12]!
      out[v + 1] = m[1]! * x + m[5]! * y + m[9]! * z + m[13]!
      out[v + 2] = m[2]! * x + m[6]! * y + m[10]! * z + m[14]!
    }
    return out[0]!
  }
}

async function triangleFigure (n: number, label: string, repetitions: number): Promise<BenchResult> {
  const scene = heightField(n)
  const tris = scene.triangleCount
  let rate: number
  if (repetitions === 0) {
    // a single render, no warm-up (the smaller cases warmed the code up)
    const t0 = process.hrtime.bigint()
    renderScene(scene, CAMERA, { width: 256, height: 256 })
    rate = tris / (Number(process.hrtime.bigint() - t0) / 1e9)
  } else {
    rate = await measureRate(tris, () => renderScene(scene, CAMERA, { width: 256, height: 256 }), repetitions)
  }
  const baseline = await measureRate(tris, transformOnly(scene), 5)
  return result(`render ${label} triangles, 256×256`, rate, 'triangles/s', 'vertex transform only (same mesh)', baseline)
}

async function fillFigure (): Promise<BenchResult> {
  const scene = heightField(20) // 800 large triangles: fill-bound
  const size = 1024
  const fragments = renderScene(scene, CAMERA, { width: size, height: size }).stats.fragments
  const rate = await measureRate(fragments / 1e6, () => renderScene(scene, CAMERA, { width: size, height: size }), 5)
  const color = new Float64Array(size * size * 3)
  const depth = new Float64Array(size * size)
  const baseline = await measureRate(fragments / 1e6, () => {
    for (let i = 0; i < fragments; i++) {
      const p = i % (size * size)
      const z = 1 / (1 + i)
      if (z > depth[p]!) { depth[p] = z; color[p * 3] = 0.5; color[p * 3 + 1] = 0.4; color[p * 3 + 2] = 0.3 }
    }
  }, 5)
  return result('render shaded pixels, 1024×1024', rate, 'Mpixels/s', 'depth-tested plain fill of as many pixels', baseline)
}

const SHOWCASE_CAMERA: Camera = { eye: [0.3, 0.2, 2.2], target: [0.1, 0, 0], up: [0, 1, 0], focal: 2, near: 0.01 }

/**
 * PBR with every map beside Lambert on the same scene and 512 × 512 image, in
 * CPU time: shaded output pixels per second, each model at its own defaults
 * (PBR at 2 × 2 samples per pixel, Lambert at one), which is the cost of a
 * pixel a measurement sees; and shaded samples per second (one PBR sample
 * against one Lambert pixel). The output pixels counted are the Lambert
 * render's fragments, the same count for both, so the ratio is that of the
 * render times. The two are measured in alternation (measureRatesAlternated).
 */
async function pbrFillFigures (): Promise<BenchResult[]> {
  const scene = prepareScene(pbrScene(), { maxTexturePixels: 1 << 24 })
  const size = 512
  const pbr = { width: size, height: size }
  const lambert = { width: size, height: size, shading: 'lambert' as const, supersample: 1 }
  const pbrSamples = renderScene(scene, SHOWCASE_CAMERA, pbr).stats.fragments
  const pixels = renderScene(scene, SHOWCASE_CAMERA, lambert).stats.fragments
  // Alternated, 11 rounds: measured one after the other (5 each), a single run's ratio moved between 0.26 and 0.37
  // with the machine's speed; alternated in one process, 0.28 to 0.30 in three runs.
  const [pbrRate, lambertRate] = await measureRatesAlternated([
    { ops: pixels / 1e6, fn: () => renderScene(scene, SHOWCASE_CAMERA, pbr) },
    { ops: pixels / 1e6, fn: () => renderScene(scene, SHOWCASE_CAMERA, lambert) }
  ]) as [number, number]
  return [
    result('render PBR shaded output pixels, all maps, 512×512 at 2×2 samples, per CPU-second', pbrRate, 'Mpixels/s', 'Lambert shading of the same scene, 1 sample/pixel (goal: ratio ≥ 1/3)', lambertRate),
    result('render PBR shaded samples, all maps, 512×512 ×4 samples, per CPU-second', pbrRate * pbrSamples / pixels, 'Msamples/s', 'Lambert shading of the same scene, 1 sample/pixel', lambertRate)
  ]
}

/**
 * Whole measurement (defaults) of a ~100k-triangle textured PBR scene against
 * itself, as measurements per second of this process's CPU time (and of wall
 * time) beside the goal of one per 10 s on one core. CPU time, not wall time: the measurement
 * is single-threaded, and on a shared machine a wall-clock run of it moved by
 * half between runs of the same code (time descheduled), while its CPU time
 * moved by a few per cent; the wall time is printed beside it.
 */
async function pbrSceneMeasurement (): Promise<BenchResult[]> {
  const glb = await createSceneIO().writeBinary(pbrScene({ rings: 158 })) // 2·158·316 ≈ 100k sphere triangles + slab + ball
  const t0 = process.hrtime.bigint()
  const cpu0 = process.cpuUsage()
  const m = await measureScenes(glb, glb, { seed: '00'.repeat(32), complexity: 0.5 })
  const cpu = process.cpuUsage(cpu0)
  const cpuSeconds = (cpu.user + cpu.system) / 1e6
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  const tris = m.renderStats.triangles.original
  console.log(`render: 100k PBR scene measurement: ${tris} triangles, ${m.renderStats.renders} renders per scene, ${cpuSeconds.toFixed(2)} s CPU, ${seconds.toFixed(2)} s wall`)
  return [
    result(`scene measurement, ${Math.round(tris / 1000)}k-triangle textured PBR scene, defaults, per CPU-second`, 1 / cpuSeconds, 'measurements/s', 'goal: 10 s on one core (0.1/s)', 0.1),
    result(`scene measurement, ${Math.round(tris / 1000)}k-triangle textured PBR scene, defaults, per wall-second`, 1 / seconds, 'measurements/s', 'goal: 10 s on one core (0.1/s)', 0.1)
  ]
}

/** CPU seconds of one scene measurement of the verification scene's original against its flattened metallic-roughness candidate. */
async function verificationMeasurementSeconds (options: Partial<MeasureScenesOptions>): Promise<number> {
  const original = await pbrSceneGlb(); const candidate = await pbrSceneGlb(REJECTED['metallic-roughness map flattened'])
  const cpu0 = process.cpuUsage()
  await measureScenes(original, candidate, { seed: 'a1b2c3d4', complexity: 0, ...options })
  const cpu = process.cpuUsage(cpu0)
  return (cpu.user + cpu.system) / 1e6
}

/**
 * What the zoomed region samples cost, and what 512 × 512 views would: the
 * verification scene (test/node/render/verification-scenes.ts) measured at
 * the defaults (regions rendered as windows of a view twice as large), with
 * regions cropped from the 256 × 256 view (the previous defaults), and with
 * 512 × 512 views, in the same run, per CPU-second.
 */
async function resolutionFigures (): Promise<BenchResult[]> {
  await verificationMeasurementSeconds({}) // warm-up
  const cropped = await verificationMeasurementSeconds({ regionZoom: 1 })
  const zoomed = await verificationMeasurementSeconds({})
  const large = await verificationMeasurementSeconds({ width: 512, height: 512, regionZoom: 1 })
  console.log(`render: verification scene measurement, CPU seconds: regions cropped ${cropped.toFixed(2)}, zoomed ×2 (defaults) ${zoomed.toFixed(2)}, 512×512 views ${large.toFixed(2)}`)
  return [
    result('scene measurement, verification scene, defaults (regions zoomed ×2), per CPU-second', 1 / zoomed, 'measurements/s', 'regions cropped from the 256×256 view', 1 / cropped),
    result('scene measurement, verification scene, 512×512 views, per CPU-second', 1 / large, 'measurements/s', 'defaults (256×256 views, regions zoomed ×2)', 1 / zoomed)
  ]
}

/** The renderer benchmark suite. */
export const renderSuite: BenchSuite = {
  name: 'render',
  run: async () => [
    await triangleFigure(71, '10k', 5), // 2·71² = 10,082
    await triangleFigure(224, '100k', 3), // 2·224² = 100,352
    await triangleFigure(707, '1M', 0), // 2·707² = 999,698
    await fillFigure(),
    ...await pbrFillFigures(),
    ...await pbrSceneMeasurement(),
    ...await resolutionFigures()
  ]
}
