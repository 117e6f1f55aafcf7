/**
 * Generated PBR scenes for the verification tests, built with glTF-Transform:
 * several objects spread out over a ground slab, with a normal-mapped,
 * metallic-roughness-textured, occluded and emissive sphere, a polished
 * metal box, a rough box with an occlusion map, an alpha-blended box, an
 * emissive block and a small spike (a small feature where damage hides).
 *
 * {@link pbrScene} takes a {@link PbrVariant}: the same generator makes the
 * original and each damaged candidate (a person would reject it), so the
 * damage is exactly the one named. Candidates a person would accept are made
 * from the original's bytes by real tools ({@link acceptableCandidates}).
 * Every number is exact arithmetic or the renderer's deterministic sine and
 * cosine, so the files are the same on every machine.
 */
import type { Document, Material, Node, Primitive, Texture } from '@gltf-transform/core'
import { dedup, prune, quantize, simplify, weld } from '@gltf-transform/functions'
import { MeshoptSimplifier } from 'meshoptimizer'
import { detCos, detSin } from '../../../node/render/det-math.ts'
import { createSceneIO } from '../../../node/scene/load-scene.ts'
import { cubeArrays, makePng, newDocument, toGlb } from './fixtures.ts'

/** What to change in the scene; the default is the original. */
export interface PbrVariant {
  /** The sphere's normal map. */
  normalMap: boolean
  /** The metallic-roughness map: present, removed, or replaced by its mean (a flat 4×4 texture). */
  metallicRoughness: 'map' | 'removed' | 'flat'
  /** The occlusion maps (sphere and rough box). */
  occlusion: boolean
  /** The emissive maps and factors (sphere and block). */
  emissive: boolean
  /** Side of the sphere's base colour texture (256 in the original; smaller is a box-filtered reduction). */
  baseColorSize: number
  /** Leave out the rough box. */
  deleteRoughBox: boolean
  /** Move the metal box along x by this share of its size. */
  moveMetalBox: number
  /** Flip the winding of this many triangles of the small spike (back faces are culled: holes). */
  flipSpikeTriangles: number
  /** Collapse this many triangles of the small spike to a point. */
  collapseSpikeTriangles: number
  /** Add this to every U of the sphere's texture coordinates. */
  uvShift: number
}

/** The original scene. */
export const ORIGINAL: Readonly<PbrVariant> = Object.freeze({
  normalMap: true,
  metallicRoughness: 'map',
  occlusion: true,
  emissive: true,
  baseColorSize: 256,
  deleteRoughBox: false,
  moveMetalBox: 0,
  flipSpikeTriangles: 0,
  collapseSpikeTriangles: 0,
  uvShift: 0
})

const PI = 3.141592653589793

type Rgba = [number, number, number, number]

/** Base colour of the sphere at texel (x, y) of a 256×256 texture: coloured tiles, thin lines and a gradient. */
function baseColorTexel (x: number, y: number): Rgba {
  const tile = ((x >> 5) + (y >> 5)) % 4
  const palette: Rgba[] = [[200, 60, 40, 255], [40, 140, 210, 255], [230, 200, 60, 255], [70, 170, 90, 255]]
  const c = palette[tile]!
  if ((x & 31) === 0 || (y & 31) === 0 || ((x + y) & 63) === 0) return [25, 25, 30, 255]
  const g = (x * 60) >> 8
  return [Math.min(255, c[0] + g), c[1], Math.max(0, c[2] - g), 255]
}

/** Box-filters the 256×256 base colour down to `size` × `size` (size divides 256). */
function baseColorPng (size: number): Uint8Array {
  const f = 256 / size
  return makePng(size, size, (x, y) => {
    let r = 0; let g = 0; let b = 0
    for (let j = 0; j < f; j++) for (let i = 0; i < f; i++) { const t = baseColorTexel(x * f + i, y * f + j); r += t[0]; g += t[1]; b += t[2] }
    const n = f * f
    return [Math.round(r / n), Math.round(g / n), Math.round(b / n), 255]
  })
}

/** Tangent-space normal map of a field of round bumps (8 × 8 per texture), 128×128. */
function normalPng (): Uint8Array {
  return makePng(128, 128, (x, y) => {
    // height h = sin(2π·8x/128)·sin(2π·8y/128); normal ∝ (−∂h/∂x, −∂h/∂y, 1) with a strength of 0.9
    const ax = 2 * PI * 8 * x / 128; const ay = 2 * PI * 8 * y / 128
    const dx = -0.9 * detCos(ax) * detSin(ay); const dy = -0.9 * detSin(ax) * detCos(ay)
    const len = Math.sqrt(dx * dx + dy * dy + 1)
    return [Math.round((dx / len * 0.5 + 0.5) * 255), Math.round((dy / len * 0.5 + 0.5) * 255), Math.round((1 / len * 0.5 + 0.5) * 255), 255]
  })
}

/** Metallic-roughness map, 128×128: metal bands (B) with polished and rough stretches (G). */
function metallicRoughnessPng (): Uint8Array {
  return makePng(128, 128, (x, y) => {
    const metal = ((y >> 4) & 1) === 0
    const rough = ((x >> 5) & 1) === 0 ? 40 : 220
    return [0, rough, metal ? 255 : 0, 255]
  })
}

/** The mean of {@link metallicRoughnessPng} as a flat 4×4 texture. */
function flatMetallicRoughnessPng (): Uint8Array {
  return makePng(4, 4, () => [0, 130, 128, 255])
}

/** Occlusion map, 128×128: dark grooves along a 16-texel grid. */
function occlusionPng (): Uint8Array {
  return makePng(128, 128, (x, y) => {
    const d = Math.min(x & 15, 16 - (x & 15), y & 15, 16 - (y & 15))
    const ao = d <= 1 ? 40 : d <= 3 ? 140 : 255
    return [ao, ao, ao, 255]
  })
}

/** Emissive map, 128×128: glowing rings. */
function emissivePng (): Uint8Array {
  return makePng(128, 128, (x, y) => {
    const dx = x - 64; const dy = y - 64
    const r = Math.sqrt(dx * dx + dy * dy)
    const on = (Math.floor(r / 6) % 3) === 0
    return on ? [255, 200, 120, 255] : [0, 0, 0, 255]
  })
}

/** Alpha texture for the blended box, 64×64: alpha stripes from 0.25 to 0.9. */
function alphaPng (): Uint8Array {
  return makePng(64, 64, (x) => [90, 200, 230, ((x >> 3) & 1) === 0 ? 64 : 230])
}

interface Arrays { positions: number[], normals: number[], uvs: number[], indices: number[], tangents?: number[] }

function primitiveOf (doc: Document, a: Arrays, material: Material): Primitive {
  const buffer = doc.getRoot().listBuffers()[0]!
  const prim = doc.createPrimitive()
  prim.setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(new Float32Array(a.positions)).setBuffer(buffer))
  prim.setAttribute('NORMAL', doc.createAccessor().setType('VEC3').setArray(new Float32Array(a.normals)).setBuffer(buffer))
  prim.setAttribute('TEXCOORD_0', doc.createAccessor().setType('VEC2').setArray(new Float32Array(a.uvs)).setBuffer(buffer))
  if (a.tangents !== undefined) prim.setAttribute('TANGENT', doc.createAccessor().setType('VEC4').setArray(new Float32Array(a.tangents)).setBuffer(buffer))
  prim.setIndices(doc.createAccessor().setType('SCALAR').setArray(new Uint32Array(a.indices)).setBuffer(buffer))
  prim.setMaterial(material)
  return prim
}

/** UV sphere of radius 1 with analytic tangents (along +u, handedness +1), `rings` × `segments` quads. */
function sphereArrays (rings: number, segments: number, uvShift: number): Arrays {
  const positions: number[] = []; const normals: number[] = []; const uvs: number[] = []; const tangents: number[] = []; const indices: number[] = []
  for (let r = 0; r <= rings; r++) {
    const theta = PI * r / rings
    const st = detSin(theta); const ct = detCos(theta)
    for (let s = 0; s <= segments; s++) {
      const phi = 2 * PI * s / segments
      const cp = detCos(phi); const sp = detSin(phi)
      positions.push(st * cp, ct, st * sp)
      normals.push(st * cp, ct, st * sp)
      tangents.push(-sp, 0, cp, 1)
      // the texture repeats twice around and once from pole to pole
      uvs.push(2 * s / segments + uvShift, r / rings)
    }
  }
  for (let r = 0; r < rings; r++) {
    for (let s = 0; s < segments; s++) {
      const a = r * (segments + 1) + s; const b = a + segments + 1
      indices.push(a, b, a + 1, a + 1, b, b + 1)
    }
  }
  return { positions, normals, uvs, tangents, indices }
}

/** Cube arrays with tangents along each face's u axis. */
function cubeWithTangents (): Arrays {
  const c = cubeArrays()
  const tangents: number[] = []
  for (let i = 0; i < c.positions.length / 3; i += 4) {
    // the u axis of the face is the direction from its vertex 0 to vertex 1
    const d = [0, 1, 2].map((k) => c.positions[(i + 1) * 3 + k]! - c.positions[i * 3 + k]!)
    for (let v = 0; v < 4; v++) tangents.push(d[0]!, d[1]!, d[2]!, 1)
  }
  return { ...c, tangents }
}

/**
 * A spike: a 10-sided cone of radius 0.06 and height 0.35 with its base
 * closed, flat-shaded. `flip` triangles of its side have their winding
 * flipped and `collapse` more are collapsed to their first vertex.
 */
function spikeArrays (flip: number, collapse: number): Arrays {
  const n = 10
  const positions: number[] = []; const normals: number[] = []; const uvs: number[] = []; const indices: number[] = []
  for (let i = 0; i < n; i++) {
    const a0 = 2 * PI * i / n; const a1 = 2 * PI * (i + 1) / n; const am = (a0 + a1) / 2
    const p0 = [0.06 * detCos(a0), 0, 0.06 * detSin(a0)]; const p1 = [0.06 * detCos(a1), 0, 0.06 * detSin(a1)]; const tip = [0, 0.35, 0]
    // outward face normal of the side triangle (slope 0.06 / 0.35)
    const nx = detCos(am); const nz = detSin(am); const ny = 0.06 / 0.35
    const nl = Math.sqrt(nx * nx + ny * ny + nz * nz)
    const base = positions.length / 3
    for (const p of [p0, tip, p1]) { positions.push(...p); normals.push(nx / nl, ny / nl, nz / nl); uvs.push(i / n, p === tip ? 0 : 1) }
    if (i < flip) indices.push(base, base + 2, base + 1)
    else if (i < flip + collapse) indices.push(base, base, base)
    else indices.push(base, base + 1, base + 2)
  }
  return { positions, normals, uvs, indices }
}

/** A flat slab (the ground), `size` wide, top at y = 0, with a coarse checker. */
function groundArrays (size: number): Arrays {
  const h = size / 2
  return {
    positions: [-h, 0, -h, -h, 0, h, h, 0, h, h, 0, -h],
    normals: [0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0],
    uvs: [0, 0, 0, 4, 4, 4, 4, 0],
    indices: [0, 1, 2, 0, 2, 3]
  }
}

function texture (doc: Document, name: string, png: Uint8Array): Texture {
  return doc.createTexture(name).setImage(png).setMimeType('image/png')
}

/** Builds the scene for `variant` (a partial variant changes the original). */
export function pbrScene (change: Partial<PbrVariant> = {}): Document {
  const v: PbrVariant = { ...ORIGINAL, ...change }
  const { doc, add } = newDocument()
  const mesh = (name: string, a: Arrays, m: Material): Node => doc.createNode(name).setMesh(doc.createMesh(name).addPrimitive(primitiveOf(doc, a, m)))

  // the sphere: every map
  const sphereMat = doc.createMaterial('sphere').setBaseColorTexture(texture(doc, 'sphere-base', baseColorPng(v.baseColorSize)))
    .setMetallicFactor(1).setRoughnessFactor(1)
  if (v.normalMap) sphereMat.setNormalTexture(texture(doc, 'sphere-normal', normalPng())).setNormalScale(1)
  if (v.metallicRoughness === 'map') sphereMat.setMetallicRoughnessTexture(texture(doc, 'sphere-mr', metallicRoughnessPng()))
  if (v.metallicRoughness === 'flat') sphereMat.setMetallicRoughnessTexture(texture(doc, 'sphere-mr', flatMetallicRoughnessPng()))
  if (v.occlusion) sphereMat.setOcclusionTexture(texture(doc, 'sphere-ao', occlusionPng())).setOcclusionStrength(1)
  if (v.emissive) sphereMat.setEmissiveTexture(texture(doc, 'sphere-emissive', emissivePng())).setEmissiveFactor([1, 0.8, 0.5])
  add(mesh('sphere', sphereArrays(32, 48, v.uvShift), sphereMat).setTranslation([0, 1.05, 0]))

  // the spike on top of the sphere: a small feature
  const spikeMat = doc.createMaterial('spike').setBaseColorFactor([0.9, 0.9, 0.95, 1]).setMetallicFactor(0).setRoughnessFactor(0.5)
  add(mesh('spike', spikeArrays(v.flipSpikeTriangles, v.collapseSpikeTriangles), spikeMat).setTranslation([0, 2.02, 0]))

  // a polished metal box
  const metalMat = doc.createMaterial('metal').setBaseColorFactor([0.95, 0.75, 0.35, 1]).setMetallicFactor(1).setRoughnessFactor(0.2)
  if (v.normalMap) metalMat.setNormalTexture(texture(doc, 'metal-normal', normalPng()))
  add(mesh('metal-box', cubeWithTangents(), metalMat).setTranslation([-2.6 + v.moveMetalBox, 0.5, 0.6]))

  // a rough dielectric box with an occlusion map
  if (!v.deleteRoughBox) {
    const roughMat = doc.createMaterial('rough').setBaseColorFactor([0.35, 0.55, 0.3, 1]).setMetallicFactor(0).setRoughnessFactor(0.9)
    if (v.occlusion) roughMat.setOcclusionTexture(texture(doc, 'rough-ao', occlusionPng()))
    add(mesh('rough-box', cubeWithTangents(), roughMat).setTranslation([2.4, 0.6, -1.2]).setScale([1.2, 1.2, 1.2]))
  }

  // an alpha-blended box
  const glassMat = doc.createMaterial('glass').setBaseColorTexture(texture(doc, 'glass-alpha', alphaPng())).setAlphaMode('BLEND')
    .setMetallicFactor(0).setRoughnessFactor(0.1).setDoubleSided(true)
  add(mesh('glass-box', cubeWithTangents(), glassMat).setTranslation([-1.2, 0.4, -2.4]).setScale([0.8, 0.8, 0.8]))

  // an emissive block
  const glowMat = doc.createMaterial('glow').setBaseColorFactor([0.1, 0.1, 0.1, 1]).setMetallicFactor(0).setRoughnessFactor(0.6)
  if (v.emissive) glowMat.setEmissiveTexture(texture(doc, 'glow-emissive', emissivePng())).setEmissiveFactor([0.2, 0.9, 1])
  add(mesh('glow-block', cubeWithTangents(), glowMat).setTranslation([1.8, 0.25, 2.2]).setScale([1.4, 0.5, 0.6]))

  // the ground
  const groundMat = doc.createMaterial('ground').setBaseColorFactor([0.6, 0.6, 0.62, 1]).setMetallicFactor(0).setRoughnessFactor(0.8)
  add(mesh('ground', groundArrays(8), groundMat))
  return doc
}

/** GLB bytes of {@link pbrScene}. */
export async function pbrSceneGlb (change: Partial<PbrVariant> = {}): Promise<Uint8Array> {
  return await toGlb(pbrScene(change))
}

/** Candidates a person would reject, by name (each must FAIL at the network's default thresholds). */
export const REJECTED: Readonly<Record<string, Partial<PbrVariant>>> = Object.freeze({
  'normal map removed': { normalMap: false },
  'metallic-roughness map removed': { metallicRoughness: 'removed' },
  'metallic-roughness map flattened': { metallicRoughness: 'flat' },
  'occlusion removed': { occlusion: false },
  'emissive removed': { emissive: false },
  'base colour shrunk to 16×16': { baseColorSize: 16 },
  'one object deleted': { deleteRoughBox: true },
  'a mesh moved by 2% of its size': { moveMetalBox: 0.02 },
  'three triangles of the spike flipped': { flipSpikeTriangles: 3 },
  'three triangles of the spike collapsed': { collapseSpikeTriangles: 3 },
  'UVs shifted by 0.02': { uvShift: 0.02 }
})

/**
 * Candidates a person would accept, made from the original's bytes by real
 * tools: a lossless re-encoding (glTF-Transform read, weld, dedup, prune,
 * write), 12-bit quantization (glTF-Transform quantize, KHR_mesh_quantization)
 * and a mild simplification of the sphere that keeps its silhouette
 * (meshoptimizer through glTF-Transform, half the triangles at an error
 * bound of 0.1% of the mesh size).
 */
export async function acceptableCandidates (original: Uint8Array): Promise<Record<string, Uint8Array>> {
  const io = createSceneIO()
  const reencoded = await io.readBinary(original)
  await reencoded.transform(weld(), dedup(), prune())
  const quantized = await io.readBinary(original)
  await quantized.transform(quantize({ quantizePosition: 12, quantizeNormal: 12, quantizeTexcoord: 12, quantizeColor: 12, quantizeGeneric: 12 }))
  await MeshoptSimplifier.ready
  const simplified = await io.readBinary(original)
  await simplified.transform(weld(), simplify({ simplifier: MeshoptSimplifier, ratio: 0.5, error: 0.001 }))
  return {
    'lossless re-encoding': await io.writeBinary(reencoded),
    '12-bit quantization': await io.writeBinary(quantized),
    'mild simplification (half the sphere\'s triangles, error ≤ 0.1%)': await io.writeBinary(simplified)
  }
}
