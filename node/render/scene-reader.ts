/**
 * Reads a glTF-Transform `Document` into a `PreparedScene`: every accessor
 * decoded once into float64 arrays (normalized integers of
 * KHR_mesh_quantization divided out exactly as the glTF spec defines),
 * triangle lists built from indexed and non-indexed triangles, strips and
 * fans, materials resolved (textures decoded to linear mip chains,
 * KHR_texture_transform folded into an affine matrix), EXT_mesh_gpu_instancing
 * expanded into per-instance matrices, skins and morph targets kept for
 * posing, animations kept for sampling at any time.
 *
 * EXT_meshopt_compression is decoded by glTF-Transform while reading the file
 * (with meshoptimizer's decoder registered); by the time a Document exists, its
 * accessors hold plain arrays.
 *
 * Traversal order is fixed: the default scene (or the first), its root nodes
 * in order, depth first, children in order; primitives in mesh order.
 */
import type { Accessor, Document, Node, Primitive } from '@gltf-transform/core'
import type { Light, Visibility } from '@gltf-transform/extensions'
import { ERR_RENDER_BUDGET, ERR_RENDER_UNSUPPORTED, renderError } from './errors.ts'
import { MAX_SCENE_LIGHTS, prepareLight, type PreparedLight } from './lights.ts'
import { fromTRS, type Mat4 } from './mat4.ts'
import { createMaterialReader, MATERIAL_EXTENSIONS_RENDERED, type PreparedMaterial } from './material-reader.ts'
import { withTangents } from './tangents.ts'

export { ALPHA_BLEND, ALPHA_MASK, ALPHA_OPAQUE, type PreparedMaterial, type TextureBinding } from './material-reader.ts'

/** Morph target deltas (local space). */
export interface PreparedTarget {
  positions: Float64Array | null
  normals: Float64Array | null
}

/** A triangle primitive with decoded local-space attributes. */
export interface PreparedPrimitive {
  vertexCount: number
  positions: Float64Array
  normals: Float64Array | null
  /** xyz + handedness w per vertex: from the file, or generated (MikkTSpace) for normal-mapped primitives without them. */
  tangents: Float64Array | null
  uv0: Float64Array | null
  uv1: Float64Array | null
  /** Linear RGBA per vertex. */
  colors: Float64Array | null
  joints: Uint32Array | null
  weights: Float64Array | null
  targets: PreparedTarget[]
  /** Triangle list, three vertex indices per triangle, in file order. */
  indices: Uint32Array
  material: PreparedMaterial
}

/** A node of the scene tree. */
export interface PreparedNode {
  /** Index in `PreparedScene.nodes` (traversal order). */
  index: number
  translation: number[]
  rotation: number[]
  scale: number[]
  /** Default morph weights (node's, else mesh's). */
  weights: number[]
  primitives: PreparedPrimitive[]
  /** EXT_mesh_gpu_instancing: one local matrix per instance, or null. */
  instances: Mat4[] | null
  skin: PreparedSkin | null
  /** KHR_lights_punctual light attached to this node (within the per-scene cap), or null. */
  light: PreparedLight | null
  children: PreparedNode[]
}

/** A skin: joint nodes and their inverse bind matrices. */
export interface PreparedSkin {
  joints: number[]
  inverseBindMatrices: Mat4[]
}

/** One animation channel. */
export interface PreparedChannel {
  node: number
  path: 'translation' | 'rotation' | 'scale' | 'weights'
  interpolation: 'STEP' | 'LINEAR' | 'CUBICSPLINE'
  input: Float64Array
  output: Float64Array
  /** Values per keyframe (3, 4 or the number of morph targets). */
  components: number
}

/** A scene ready to pose and render. */
export interface PreparedScene {
  roots: PreparedNode[]
  nodes: PreparedNode[]
  channels: PreparedChannel[]
  /** Last keyframe time over all channels (0 when not animated). */
  duration: number
  /** Triangles drawn per view (instances counted). */
  triangleCount: number
  /** Extensions the file declares. */
  extensionsUsed: string[]
  /** Declared extensions that do not affect this renderer's shading or geometry. */
  extensionsIgnored: string[]
  /**
   * What changes the scene's look but is not rendered: material extensions
   * in use that the shader does not implement (e.g. KHR_materials_sheen),
   * "KHR_materials_clearcoat:clearcoatNormalTexture", and
   * "KHR_lights_punctual:over-cap" when the scene has more lights than
   * MAX_SCENE_LIGHTS. Empty when the render shows everything the file asks for.
   */
  appearanceIgnored: string[]
  /** Scene lights in use (at most MAX_SCENE_LIGHTS). */
  lightCount: number
  /** Primitives skipped (points, lines, or no POSITION). */
  skippedPrimitives: number
}

/** Limits applied while preparing a scene. */
export interface PrepareOptions {
  /** Largest texture (width × height) decoded. */
  maxTexturePixels: number
  /**
   * Most triangles per render (instances counted); `ERR_RENDER_BUDGET` as soon
   * as the scene exceeds it, before instance matrices are built. Default: no limit.
   */
  maxTriangles?: number
}

/** Extensions whose effect this renderer implements (or that are fully handled while reading). */
export const SUPPORTED_EXTENSIONS: readonly string[] = [
  'KHR_mesh_quantization', 'KHR_texture_transform', 'EXT_mesh_gpu_instancing', 'EXT_meshopt_compression', 'KHR_lights_punctual',
  'KHR_node_visibility', 'EXT_texture_webp', ...MATERIAL_EXTENSIONS_RENDERED
]

/** Decodes an accessor into float64, dividing normalized integers as the glTF spec defines. */
export function accessorToFloat64 (acc: Accessor): Float64Array {
  const arr = acc.getArray()
  if (arr === null) throw renderError(ERR_RENDER_UNSUPPORTED, 'accessor without data')
  const out = new Float64Array(arr.length)
  if (!acc.getNormalized()) {
    for (let i = 0; i < arr.length; i++) out[i] = arr[i]!
    return out
  }
  const ct = acc.getComponentType()
  // glTF 2.0 §3.11: c/127 and c/32767 clamped at −1 for signed, c/255 and c/65535 for unsigned
  const div = ct === 5120 ? 127 : ct === 5121 ? 255 : ct === 5122 ? 32767 : ct === 5123 ? 65535 : ct === 5125 ? 4294967295 : 1
  const signed = ct === 5120 || ct === 5122
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i]! / div
    out[i] = signed && v < -1 ? -1 : v
  }
  return out
}

/** Expands an RGB or RGBA colour accessor to RGBA. */
function colorsToRgba (acc: Accessor): Float64Array {
  const v = accessorToFloat64(acc)
  if (acc.getElementSize() === 4) return v
  const n = acc.getCount()
  const out = new Float64Array(n * 4)
  for (let i = 0; i < n; i++) { out[i * 4] = v[i * 3]!; out[i * 4 + 1] = v[i * 3 + 1]!; out[i * 4 + 2] = v[i * 3 + 2]!; out[i * 4 + 3] = 1 }
  return out
}

/** Triangle list from a primitive's mode and indices; null for points and lines. */
function triangleList (prim: Primitive, vertexCount: number): Uint32Array | null {
  const mode = prim.getMode()
  if (mode !== 4 && mode !== 5 && mode !== 6) return null
  const idxAcc = prim.getIndices()
  const src = idxAcc === null ? null : idxAcc.getArray()
  const n = src === null ? vertexCount : src.length
  const at = (i: number): number => (src === null ? i : src[i]!)
  if (mode === 4) {
    const count = n - (n % 3)
    const out = new Uint32Array(count)
    for (let i = 0; i < count; i++) out[i] = at(i)
    return out
  }
  const out = new Uint32Array(Math.max(0, n - 2) * 3)
  let k = 0
  if (mode === 5) {
    // glTF §3.7.2.1: triangle i is (v_i, v_i+1, v_i+2) for even i, (v_i, v_i+2, v_i+1) for odd i
    for (let i = 0; i + 2 < n; i++) {
      out[k++] = at(i)
      out[k++] = at((i & 1) === 0 ? i + 1 : i + 2)
      out[k++] = at((i & 1) === 0 ? i + 2 : i + 1)
    }
  } else {
    // fan: (v_i+1, v_i+2, v_0)
    for (let i = 1; i + 1 < n; i++) { out[k++] = at(i); out[k++] = at(i + 1); out[k++] = at(0) }
  }
  return out
}

/** Reads the prepared form of a document. Textures are decoded once per (texture, colour space). */
export function prepareScene (doc: Document, options: PrepareOptions): PreparedScene {
  const root = doc.getRoot()
  const scene = root.getDefaultScene() ?? root.listScenes()[0] ?? null
  const ignored = new Set<string>()
  const appearanceIgnored = new Set<string>()
  const extensionsUsed = root.listExtensionsUsed().map((e) => e.extensionName).sort()
  for (const name of extensionsUsed) if (!SUPPORTED_EXTENSIONS.includes(name)) ignored.add(name)
  let skippedPrimitives = 0
  const maxTriangles = options.maxTriangles ?? Infinity

  const material = createMaterialReader({ maxTexturePixels: options.maxTexturePixels }, ignored, appearanceIgnored)

  const primitive = (p: Primitive): PreparedPrimitive | null => {
    const pos = p.getAttribute('POSITION')
    if (pos === null) return null
    const vertexCount = pos.getCount()
    const indices = triangleList(p, vertexCount)
    if (indices === null) return null
    const attr = (name: string): Float64Array | null => { const a = p.getAttribute(name); return a === null ? null : accessorToFloat64(a) }
    const color = p.getAttribute('COLOR_0')
    const joints = p.getAttribute('JOINTS_0')
    const tangent = p.getAttribute('TANGENT')
    const mat = material(p.getMaterial())
    return withTangents({
      vertexCount,
      positions: accessorToFloat64(pos),
      normals: attr('NORMAL'),
      tangents: tangent === null || tangent.getElementSize() !== 4 ? null : accessorToFloat64(tangent),
      uv0: attr('TEXCOORD_0'),
      uv1: attr('TEXCOORD_1'),
      colors: color === null ? null : colorsToRgba(color),
      joints: joints === null ? null : Uint32Array.from(joints.getArray() ?? []),
      weights: joints === null ? null : attr('WEIGHTS_0'),
      targets: p.listTargets().map((t) => {
        const tp = t.getAttribute('POSITION'); const tn = t.getAttribute('NORMAL')
        return { positions: tp === null ? null : accessorToFloat64(tp), normals: tn === null ? null : accessorToFloat64(tn) }
      }),
      indices,
      material: mat
    })
  }

  const nodes: PreparedNode[] = []
  const nodeIndex = new Map<Node, number>()
  const pendingSkins: Array<[PreparedNode, Node]> = []
  let triangleCount = 0
  let lightCount = 0
  const visit = (n: Node): PreparedNode => {
    const pn: PreparedNode = {
      index: nodes.length,
      translation: [...n.getTranslation()],
      rotation: [...n.getRotation()],
      scale: [...n.getScale()],
      weights: [],
      primitives: [],
      instances: null,
      skin: null,
      light: null,
      children: []
    }
    nodes.push(pn)
    nodeIndex.set(n, pn.index)
    const lightDef = n.getExtension<Light>('KHR_lights_punctual')
    if (lightDef !== null) {
      const l = prepareLight(lightDef.getType(), lightDef.getColor(), lightDef.getIntensity(), lightDef.getRange(), lightDef.getInnerConeAngle(), lightDef.getOuterConeAngle())
      if (l !== null) {
        if (lightCount < MAX_SCENE_LIGHTS) { pn.light = l; lightCount++ } else appearanceIgnored.add('KHR_lights_punctual:over-cap')
      }
    }
    // KHR_node_visibility: a hidden node hides its whole subtree
    if (n.getExtension<Visibility>('KHR_node_visibility')?.getVisible() === false) return pn
    const mesh = n.getMesh()
    if (mesh !== null) {
      pn.weights = n.getWeights().length > 0 ? [...n.getWeights()] : [...mesh.getWeights()]
      for (const p of mesh.listPrimitives()) {
        const pp = primitive(p)
        if (pp === null) skippedPrimitives++
        else pn.primitives.push(pp)
      }
      const inst = n.getExtension<import('@gltf-transform/extensions').InstancedMesh>('EXT_mesh_gpu_instancing')
      const per = pn.primitives.reduce((s, p) => s + p.indices.length / 3, 0)
      triangleCount += per * (inst === null ? 1 : instanceCount(inst))
      if (triangleCount > maxTriangles) {
        throw renderError(ERR_RENDER_BUDGET, `the scene draws more than ${maxTriangles} triangles per view`, { maxTriangles })
      }
      if (inst !== null) pn.instances = instanceMatrices(inst)
      if (n.getSkin() !== null) pendingSkins.push([pn, n])
    }
    for (const c of n.listChildren()) {
      if (nodeIndex.has(c)) continue
      pn.children.push(visit(c))
    }
    return pn
  }
  const roots = scene === null ? [] : scene.listChildren().map((n) => visit(n))

  for (const [pn, n] of pendingSkins) {
    const skin = n.getSkin()!
    const joints = skin.listJoints().map((j) => nodeIndex.get(j) ?? -1)
    if (joints.includes(-1)) continue // joint outside the scene: render unskinned
    const ibm = skin.getInverseBindMatrices()
    const ibmData = ibm === null ? null : accessorToFloat64(ibm)
    pn.skin = {
      joints,
      inverseBindMatrices: joints.map((_, i) => {
        const m = new Float64Array(16)
        if (ibmData === null) { m[0] = 1; m[5] = 1; m[10] = 1; m[15] = 1 } else m.set(ibmData.subarray(i * 16, i * 16 + 16))
        return m
      })
    }
  }

  const channels: PreparedChannel[] = []
  let duration = 0
  for (const anim of root.listAnimations()) {
    for (const ch of anim.listChannels()) {
      const target = ch.getTargetNode()
      const path = ch.getTargetPath()
      const sampler = ch.getSampler()
      const idx = target === null ? undefined : nodeIndex.get(target)
      if (idx === undefined || sampler === null || (path !== 'translation' && path !== 'rotation' && path !== 'scale' && path !== 'weights')) continue
      const inAcc = sampler.getInput(); const outAcc = sampler.getOutput()
      if (inAcc === null || outAcc === null || inAcc.getCount() === 0) continue
      const input = accessorToFloat64(inAcc)
      const output = accessorToFloat64(outAcc)
      const interpolation = sampler.getInterpolation()
      const perKey = output.length / input.length / (interpolation === 'CUBICSPLINE' ? 3 : 1)
      if (!Number.isInteger(perKey) || perKey < 1) continue
      channels.push({ node: idx, path, interpolation, input, output, components: perKey })
      const last = input[input.length - 1]!
      if (Number.isFinite(last) && last > duration) duration = last
    }
  }

  return {
    roots,
    nodes,
    channels,
    duration,
    triangleCount,
    extensionsUsed,
    extensionsIgnored: [...ignored].sort(),
    appearanceIgnored: [...appearanceIgnored].sort(),
    lightCount,
    skippedPrimitives
  }
}

/** Number of instances of EXT_mesh_gpu_instancing (the longest attribute). */
function instanceCount (inst: import('@gltf-transform/extensions').InstancedMesh): number {
  return Math.max(inst.getAttribute('TRANSLATION')?.getCount() ?? 0, inst.getAttribute('ROTATION')?.getCount() ?? 0, inst.getAttribute('SCALE')?.getCount() ?? 0)
}

/** Per-instance local matrices of EXT_mesh_gpu_instancing (missing attributes default to identity). */
function instanceMatrices (inst: import('@gltf-transform/extensions').InstancedMesh): Mat4[] {
  const t = inst.getAttribute('TRANSLATION'); const r = inst.getAttribute('ROTATION'); const s = inst.getAttribute('SCALE')
  const count = instanceCount(inst)
  const td = t === null ? null : accessorToFloat64(t)
  const rd = r === null ? null : accessorToFloat64(r)
  const sd = s === null ? null : accessorToFloat64(s)
  const out: Mat4[] = []
  for (let i = 0; i < count; i++) {
    const tv = td === null ? [0, 0, 0] : [td[i * 3] ?? 0, td[i * 3 + 1] ?? 0, td[i * 3 + 2] ?? 0]
    const rv = rd === null ? [0, 0, 0, 1] : [rd[i * 4] ?? 0, rd[i * 4 + 1] ?? 0, rd[i * 4 + 2] ?? 0, rd[i * 4 + 3] ?? 1]
    const sv = sd === null ? [1, 1, 1] : [sd[i * 3] ?? 1, sd[i * 3 + 1] ?? 1, sd[i * 3 + 2] ?? 1]
    out.push(fromTRS(tv, rv, sv))
  }
  return out
}
