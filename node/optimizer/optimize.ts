/**
 * Scene optimization: real passes on a real glTF scene, chosen by profile and
 * route, with a report. Deterministic: the same input bytes and options give
 * byte-identical output on every node (no clock, no randomness, passes in a
 * fixed order over document-ordered lists, PNG deflate in pure JavaScript).
 */
import type { Document, Node } from '@gltf-transform/core'
import { dedup, flatten, instance, prune, resample } from '@gltf-transform/functions'
import { MeshoptEncoder } from 'meshoptimizer/encoder'
import { MeshoptSimplifier } from 'meshoptimizer/simplifier'
import { z } from 'zod'
import { PROFILES, type Profile } from './analysis-rules.ts'
import { sha256Hex } from '../../protocol/hash.ts'
import { resolveAnalysisOptions, defaultSceneAnalyzer, type SceneAnalysis } from './analyze.ts'
import { ERR_OPTIMIZER_NOTHING_LEFT, ERR_OPTIMIZER_OPTIONS_INVALID, fail } from './errors.ts'
import { createSceneIO, loadSceneSafely, resolveSceneLimits } from '../scene/load-scene.ts'
import { preflightScene } from '../scene/preflight-scene.ts'
import { PROFILE_PASSES, type ProfilePasses } from './profiles.ts'
import { buildReport, type OptimizationReport, type Operation } from './report.ts'
import type { SceneLimits } from '../scene/scene-limits.ts'
import { measureScene } from '../scene/scene-stats.ts'
import type { TextureFormats, TextureQualities } from './texture-pass.ts'
import { decompressScene } from '../scene/decompress-scene.ts'
import { writeGlb } from '../scene/write-glb.ts'
import { writeMeshopt } from './write-meshopt.ts'
import { simplifyScene, weldScene } from './simplify-pass.ts'
import { integerPositions } from './position-layout.ts'
import { joinScene } from './join-pass.ts'
import { quantizeVertices } from './quantize-pass.ts'
import { reorderVertices } from './reorder-pass.ts'

import { OPTIMIZER_GENERATOR } from './version.ts'
import { checkVertexValues } from './vertex-values.ts'

export { OPTIMIZER_FORMAT_VERSION, OPTIMIZER_GENERATOR } from './version.ts'

/**
 * prune() without its solid-texture check: that check decodes every texture
 * with sharp (a native image library) when installed, which would make the
 * output depend on a platform binary; textures are handled by our own pass.
 */
const PRUNE_OPTIONS = { keepSolidTextures: true }
/**
 * What quantize touches when the output is meshopt-compressed: every attribute but NORMAL and TANGENT,
 * which the meshopt writer's octahedral filter quantizes (write-meshopt.ts). Morph targets' normal deltas
 * get no filter there, so they are still quantized (`patternTargets`).
 */
const MESHOPT_QUANTIZE_PATTERN = /^(?!(NORMAL|TANGENT)$)/
const ALL_ATTRIBUTES = /.*/

/** Options of {@link optimizeScene}; unset fields come from the profile. */
export interface OptimizeOptions {
  profile: Profile
  /** Share of triangles to keep, in (0, 1]; 1 disables simplification. */
  ratio?: number
  /** Simplification error bound (fraction of mesh radius), in [0, 1]. */
  error?: number
  /** Keep open mesh borders in place while simplifying. */
  lockBorder?: boolean
  /** Error bound of the sloppy fallback where attribute seams stop the precise simplifier, in (0, 1]; false disables it. */
  sloppyError?: number | false
  /** Largest texture width or height, 1..8192. */
  maxTextureSize?: number
  /** Quantize vertex attributes (KHR_mesh_quantization). */
  quantize?: boolean
  /** GPU instancing of meshes reused this many times or more (EXT_mesh_gpu_instancing); false disables it. */
  instancing?: number | false
  /** JPEG quality (1-100) for every texture role the profile encodes lossily; false keeps every texture lossless. */
  textureQuality?: number | false
  /** Write EXT_meshopt_compression (meshoptimizer's encoder with its filters). */
  meshopt?: boolean
  /** Texture output formats: `core` (PNG and JPEG) or `webp` (also WebP, EXT_texture_webp); see texture-pass.ts. */
  textureFormat?: TextureFormats
  /** Target render resolution for the estimates. */
  resolution?: [number, number]
  /** Loader limits. */
  limits?: Partial<SceneLimits>
}

/** Default optimization options: the balanced profile's passes. */
export const DEFAULT_OPTIMIZE_OPTIONS: Readonly<OptimizeOptions> = Object.freeze<OptimizeOptions>({
  // Balanced: the seed's default profile.
  profile: 'balanced'
})

/** Options after defaults from the profile are applied: the profile and its passes, each as given or the profile's. */
export interface ResolvedOptimizeOptions extends ProfilePasses {
  profile: Profile
}

const optionsSchema = z.object({
  profile: z.enum(PROFILES),
  ratio: z.number().gt(0).max(1).optional(),
  error: z.number().min(0).max(1).optional(),
  lockBorder: z.boolean().optional(),
  sloppyError: z.union([z.number().gt(0).max(1), z.literal(false)]).optional(),
  maxTextureSize: z.number().int().min(1).max(8192).optional(),
  quantize: z.boolean().optional(),
  instancing: z.union([z.number().int().min(2), z.literal(false)]).optional(),
  textureQuality: z.union([z.number().int().min(1).max(100), z.literal(false)]).optional(),
  meshopt: z.boolean().optional(),
  textureFormat: z.enum(['core', 'webp']).optional(),
  resolution: z.tuple([z.number().int().min(1), z.number().int().min(1)]).optional(),
  limits: z.record(z.string(), z.number()).optional()
}).strict()

/** Validates options and fills the unset ones from the profile. */
export function resolveOptimizeOptions (options: Partial<OptimizeOptions> = {}): ResolvedOptimizeOptions {
  const parsed = optionsSchema.safeParse({ ...DEFAULT_OPTIMIZE_OPTIONS, ...options })
  if (!parsed.success) fail(ERR_OPTIMIZER_OPTIONS_INVALID, `invalid optimization options: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`)
  const o = parsed.data
  const p = PROFILE_PASSES[o.profile]
  return {
    profile: o.profile,
    ratio: o.ratio ?? p.ratio,
    error: o.error ?? p.error,
    lockBorder: o.lockBorder ?? p.lockBorder,
    sloppyError: o.sloppyError === false ? null : o.sloppyError ?? p.sloppyError,
    maxTextureSize: o.maxTextureSize ?? p.maxTextureSize,
    quantize: o.quantize === false ? null : o.quantize === true ? (p.quantize ?? PROFILE_PASSES.balanced.quantize) : p.quantize,
    instancing: o.instancing === false ? null : o.instancing ?? p.instancing,
    textureQuality: resolveTextureQuality(p.textureQuality, o.textureQuality),
    meshopt: o.meshopt ?? p.meshopt,
    textureFormat: o.textureFormat ?? p.textureFormat
  }
}

/** The profile's qualities, with every lossy role set to `override` (or every role lossless when it is false). */
function resolveTextureQuality (profile: TextureQualities, override: number | false | undefined): TextureQualities {
  if (override === undefined) return profile
  const set = (q: number | null): number | null => (override === false || q === null ? null : override)
  return { color: set(profile.color), normal: set(profile.normal), data: set(profile.data), other: null }
}

/** Output of {@link optimizeScene}. */
export interface OptimizeResult {
  /** The optimized scene as GLB. */
  bytes: Uint8Array
  report: OptimizationReport
}

/** Join only nodes whose mesh no other node uses: joining a shared mesh would copy its geometry once per user. */
const notShared = (node: Node): boolean => {
  const mesh = node.getMesh()
  return mesh === null || mesh.listParents().filter((p) => p.propertyType === 'Node').length <= 1
}

async function run (doc: Document, operations: Operation[], name: string, detail: string, ...transforms: Parameters<Document['transform']>): Promise<void> {
  await doc.transform(...transforms)
  operations.push({ name, detail })
}

/**
 * Optimizes glTF/GLB bytes and returns the optimized GLB with its report.
 * Passes, in order: dedup; GPU instancing; flatten + join (baking route) or
 * join (hybrid route); weld; simplify to `ratio` within `error`; keyframe
 * resampling; prune; texture resize and re-encode; quantization; vertex
 * reordering; prune. Deterministic for given bytes and options.
 * Throws `ERR_SCENE_*` for bad input (`ERR_SCENE_VERTEX_VALUES` for NaN, infinite or unrepresentably spread vertex
 * values), `ERR_OPTIMIZER_OPTIONS_INVALID` for bad options and `ERR_OPTIMIZER_NOTHING_LEFT` when simplification
 * removed every triangle.
 */
export async function optimizeScene (bytes: Uint8Array, options: Partial<OptimizeOptions> = { profile: 'balanced' }): Promise<OptimizeResult> {
  const o = resolveOptimizeOptions(options)
  const analysisOptions = resolveAnalysisOptions({ profile: o.profile, ...(options.resolution !== undefined ? { resolution: options.resolution } : {}), limits: options.limits ?? {} })
  const limits = resolveSceneLimits(options.limits)
  const loaded = await loadSceneSafely(bytes, limits)
  checkVertexValues(loaded.document)
  const inputHash = sha256Hex(bytes)
  const analysis: SceneAnalysis = defaultSceneAnalyzer.analyzeLoaded(loaded, bytes.byteLength, inputHash, analysisOptions)
  const doc = loaded.document
  const route = analysis.routing.pipeline
  const operations: Operation[] = []
  let simplification: { requested: number, achieved: number } | null = null

  await run(doc, operations, 'dedup', 'merged identical accessors, meshes, materials and textures', dedup())
  if (o.instancing !== null) await run(doc, operations, 'instance', `GPU instancing of meshes used by ${o.instancing} or more nodes`, instance({ min: o.instancing }))
  if (route === 'baking') {
    await run(doc, operations, 'flatten', 'baking route: static hierarchy flattened', flatten())
    await run(doc, operations, 'join', 'baking route: compatible static primitives joined to cut draw calls (shared meshes kept shared)', joinScene({ keepNamed: false, filter: notShared }))
  } else if (route === 'hybrid') {
    await run(doc, operations, 'join', 'hybrid route: compatible sibling primitives joined (animated, skinned, morphed and shared ones kept)', joinScene({ keepNamed: false, filter: notShared }))
  }
  const normalBits = o.quantize?.normal ?? null
  const welded = weldScene(doc, { normalBits })
  operations.push({ name: 'weld', detail: `merged ${welded} vertices equal in every attribute${normalBits === null ? '' : ` (normals and tangents compared at the output's ${normalBits} bits)`}` })
  if (o.ratio < 1) {
    await MeshoptSimplifier.ready
    const r = simplifyScene(doc, { ratio: o.ratio, error: o.error, lockBorder: o.lockBorder, attributes: true, sloppyError: o.sloppyError })
    if (r.trianglesBefore > 0 && r.trianglesAfter === 0) {
      fail(ERR_OPTIMIZER_NOTHING_LEFT, `simplification within error ${o.error} (ratio ${o.ratio}${o.sloppyError === null ? '' : `, sloppy fallback within ${o.sloppyError}`}) removed all ${r.trianglesBefore} triangles; use a smaller --error or a larger --ratio`)
    }
    const achieved = r.trianglesBefore === 0 ? 1 : r.trianglesAfter / r.trianglesBefore
    simplification = { requested: o.ratio, achieved }
    const how = `attribute-aware, ${o.lockBorder ? 'borders locked' : 'small parts pruned'}${r.sloppy > 0 ? `, sloppy fallback within ${o.sloppyError} on ${r.sloppy} primitive(s)` : ''}`
    operations.push({ name: 'simplify', detail: `meshoptimizer simplification (${how}): ratio ${o.ratio} requested, ${achieved.toFixed(3)} achieved within error ${o.error}${achieved > o.ratio * 1.05 ? ' (the error bound stopped it first)' : ''}` })
  }
  if (doc.getRoot().listAnimations().length > 0) await run(doc, operations, 'resample', 'removed redundant animation keyframes', resample())
  await run(doc, operations, 'prune', 'removed unused nodes, meshes, materials, textures and accessors', prune(PRUNE_OPTIONS))
  // The texture pass and its codecs are loaded only for a scene that has textures (or declares WebP, which the
  // pass removes when no WebP texture is left): an untextured scene does not pay for evaluating them.
  const root = doc.getRoot()
  const textured = root.listTextures().length > 0 || root.listExtensionsUsed().some((e) => e.extensionName === 'EXT_texture_webp')
  const tex = textured ? (await import('./texture-pass.ts')).optimizeTextures(doc, { maxSize: o.maxTextureSize, quality: o.textureQuality, formats: o.textureFormat, packChannels: true }) : null
  if (tex !== null && tex.bytesBefore > 0) {
    const q = o.textureQuality
    operations.push({ name: 'textures', detail: `max ${o.maxTextureSize} px, formats ${o.textureFormat === 'webp' ? 'PNG/JPEG/WebP' : 'PNG/JPEG'}, quality colour ${q.color ?? 'lossless'} / normal ${q.normal ?? 'lossless'} / data ${q.data ?? 'lossless'}: ${tex.packed} occlusion packed into metallic-roughness, ${tex.resized} resized, ${tex.reencoded} re-encoded smaller, ${tex.unchanged} unchanged, ${tex.pngSkipped} without a PNG candidate (estimate at least twice the lossy size), ${tex.jpeg} JPEG, ${tex.webp} WebP; ${tex.bytesBefore} -> ${tex.bytesAfter} bytes` })
  }
  if (o.quantize !== null) {
    const q = o.quantize
    // With meshopt output, normals and tangents stay float here: the writer's octahedral filter quantizes them
    // itself (8 bits), once, as gltfpack does; quantized here first, they would be rounded twice and compress worse.
    await run(doc, operations, 'quantize', `KHR_mesh_quantization: position ${q.position}, ${o.meshopt ? 'normal 8-bit octahedral (meshopt filter)' : `normal ${q.normal}`}, texcoord ${q.texcoord} bits`,
      quantizeVertices({ quantizePosition: q.position, quantizeNormal: q.normal, quantizeTexcoord: q.texcoord, ...(o.meshopt ? { pattern: MESHOPT_QUANTIZE_PATTERN, patternTargets: ALL_ATTRIBUTES } : {}) }))
    const meshes = o.meshopt ? integerPositions(doc, q.position) : 0
    if (meshes > 0) operations.push({ name: 'positions', detail: `${q.position}-bit positions of ${meshes} mesh(es) stored as plain integers, the scale in their nodes (gltfpack's layout, which meshopt compresses better)` })
  }
  // For meshopt output, meshoptimizer's strip-friendly cache order (as gltfpack -cc): a little less cache-efficient, smaller once compressed.
  await run(doc, operations, 'reorder', `meshoptimizer vertex cache (${o.meshopt ? 'compression-friendly order' : 'performance order'}) and fetch reordering`, reorderVertices({ encoder: MeshoptEncoder, target: o.meshopt ? 'size' : 'performance' }))
  await run(doc, operations, 'prune', 'final cleanup', prune(PRUNE_OPTIONS))

  const asset = doc.getRoot().getAsset()
  asset.generator = OPTIMIZER_GENERATOR
  const after = measureScene(doc, 0)
  const out = o.meshopt ? await writeMeshopt(doc, operations) : await writeGlb(createSceneIO(), doc)
  // The output must load through the same bounded loader on every peer.
  preflightScene(await decompressScene(out, limits), limits)
  after.fileBytes = out.byteLength
  return { bytes: out, report: buildReport({ options: o, analysis, after, outputHash: sha256Hex(out), operations, simplification }) }
}
