/**
 * Generated physically based test scenes: a normal-mapped metallic sphere
 * with riveted panels and grooves (metallic-roughness, occlusion and
 * emissive maps) beside a rough dielectric slab with a base colour texture
 * and its own normal map, and a small glossy red ball. Every map can be left
 * out or altered, so tests can build candidates a person would reject.
 * Textures and geometry come from exact arithmetic and the renderer's
 * deterministic sine and cosine, so the files are the same everywhere.
 */
import type { Document, Material, Node, Texture } from '@gltf-transform/core'
import { KHRLightsPunctual, KHRMaterialsClearcoat, KHRMaterialsEmissiveStrength, KHRMaterialsIOR, KHRMaterialsSpecular, KHRMaterialsTransmission, type Light } from '@gltf-transform/extensions'
import { detCos, detSin } from '../../../node/render/det-math.ts'
import { makePng, newDocument } from './fixtures.ts'

/** Which parts of the showcase scene to include. */
export interface PbrSceneOptions {
  normalMap?: boolean
  metallicRoughnessMap?: boolean
  occlusionMap?: boolean
  emissiveMap?: boolean
  /** Side of the base colour texture of the slab (default 256). */
  baseColorSize?: number
  /** Write TANGENT attributes (default true); without them the renderer generates MikkTSpace tangents. */
  tangents?: boolean
  /** Sphere tessellation (rings; segments are twice as many). */
  rings?: number
  /** KHR_lights_punctual lights to add (default none: the renderer's key lights). */
  lights?: Array<{ type: 'directional' | 'point' | 'spot', position: [number, number, number], rotation?: [number, number, number, number], color: [number, number, number], intensity: number, range?: number }>
  /** Leave out the small red ball. */
  withoutBall?: boolean
  /**
   * Give the materials the layered extensions: a clearcoat with a texture
   * and roughness on the red ball and the metal sphere, specular colour and
   * IOR on the slab, and a transmissive slab half (default none).
   */
  layered?: boolean
}

const PI = 3.141592653589793

/** A height field's normal map (RGB8): rivets on a 32-px grid and V-grooves every 64 px. */
function normalMapPng (size: number): Uint8Array {
  return makePng(size, size, (x, y) => {
    let nx = 0; let ny = 0; let nz = 1
    const cx = (x % 32) - 15.5; const cy = (y % 32) - 15.5
    const d2 = cx * cx + cy * cy
    if (d2 < 36) { // rivet: hemisphere of radius 6 px; image y grows downwards, normal y points up
      const h = Math.sqrt(36 - d2)
      nx = cx / 6; ny = -cy / 6; nz = h / 6
    }
    const gx = x % 64
    if (gx < 4) { nx = gx < 2 ? -0.6 : 0.6; ny = 0; nz = 0.8 } // vertical groove
    const gy = y % 64
    if (gy < 4) { ny = gy < 2 ? 0.6 : -0.6; nx = 0; nz = 0.8 } // horizontal groove
    const l = Math.sqrt(nx * nx + ny * ny + nz * nz)
    const enc = (v: number): number => Math.round((v / l * 0.5 + 0.5) * 255)
    return [enc(nx), enc(ny), enc(nz), 255]
  })
}

/** Metallic-roughness map: alternating polished metal and rough painted panels (B metal, G roughness). */
function metallicRoughnessPng (size: number): Uint8Array {
  return makePng(size, size, (x, y) => {
    const panel = ((Math.floor(x / 64) + Math.floor(y / 64)) & 1) === 0
    const scratch = ((x * 7 + y * 3) % 23) === 0 ? 40 : 0
    return panel ? [0, 50 + scratch, 255, 255] : [0, 200, 30, 255]
  })
}

/** Occlusion map: dark in the grooves and around rivets (R). */
function occlusionPng (size: number): Uint8Array {
  return makePng(size, size, (x, y) => {
    const cx = (x % 32) - 15.5; const cy = (y % 32) - 15.5
    const d2 = cx * cx + cy * cy
    let o = 255
    if (d2 >= 36 && d2 < 64) o = 120
    if (x % 64 < 4 || y % 64 < 4) o = 70
    return [o, o, o, 255]
  })
}

/** Emissive map: a glowing cyan band and dots. */
function emissivePng (size: number): Uint8Array {
  return makePng(size, size, (x, y) => (y > size * 0.45 && y < size * 0.55 && (x % 16) < 10 ? [40, 230, 255, 255] : [0, 0, 0, 255]))
}

/** Base colour of the slab: coloured tiles with thin lines and a letter-like mark, sRGB. */
function baseColorPng (size: number): Uint8Array {
  return makePng(size, size, (x, y) => {
    const s = size / 256
    const tx = Math.floor(x / (32 * s)); const ty = Math.floor(y / (32 * s))
    if (x % Math.max(1, Math.round(32 * s)) < Math.max(1, Math.round(2 * s)) || y % Math.max(1, Math.round(32 * s)) < Math.max(1, Math.round(2 * s))) return [30, 30, 35, 255]
    const hue = (tx * 3 + ty * 5) % 4
    const cols: Array<[number, number, number]> = [[200, 80, 60], [220, 190, 120], [70, 120, 190], [150, 170, 90]]
    const c = cols[hue]!
    return [c[0], c[1], c[2], 255]
  })
}

function texture (doc: Document, name: string, png: Uint8Array): Texture {
  return doc.createTexture(name).setImage(png).setMimeType('image/png')
}

/** A node with one indexed primitive from raw arrays (TANGENT only when `tangents`). */
function meshNode (doc: Document, name: string, a: { pos: number[], nrm: number[], uv: number[], tan: number[], idx: number[] }, material: Material, tangents: boolean): Node {
  const buffer = doc.getRoot().listBuffers()[0]!
  const acc = (type: 'VEC2' | 'VEC3' | 'VEC4', data: number[]): ReturnType<Document['createAccessor']> => doc.createAccessor().setType(type).setArray(new Float32Array(data)).setBuffer(buffer)
  const prim = doc.createPrimitive()
    .setAttribute('POSITION', acc('VEC3', a.pos)).setAttribute('NORMAL', acc('VEC3', a.nrm)).setAttribute('TEXCOORD_0', acc('VEC2', a.uv))
    .setIndices(doc.createAccessor().setType('SCALAR').setArray(new Uint32Array(a.idx)).setBuffer(buffer))
    .setMaterial(material)
  if (tangents) prim.setAttribute('TANGENT', acc('VEC4', a.tan))
  return doc.createNode(name).setMesh(doc.createMesh(name).addPrimitive(prim))
}

/** UV sphere (radius r, centre c) with normals, UVs and analytic glTF tangents (T along +u; w = +1: cross(N, T) points north, towards decreasing v). */
function sphere (doc: Document, name: string, rings: number, r: number, material: Material, tangents: boolean): Node {
  const segments = rings * 2
  const pos: number[] = []; const nrm: number[] = []; const uv: number[] = []; const tan: number[] = []; const idx: number[] = []
  for (let i = 0; i <= rings; i++) {
    const theta = PI * i / rings
    const st = detSin(theta); const ct = detCos(theta)
    for (let j = 0; j <= segments; j++) {
      const phi = 2 * PI * j / segments
      const sp = detSin(phi); const cp = detCos(phi)
      const x = st * cp; const y = ct; const z = -st * sp
      pos.push(r * x, r * y, r * z); nrm.push(x, y, z); uv.push(j / segments * 2, i / rings)
      tan.push(-sp, 0, -cp, 1)
    }
  }
  for (let i = 0; i < rings; i++) {
    for (let j = 0; j < segments; j++) {
      const a = i * (segments + 1) + j; const b = a + segments + 1
      idx.push(a, b, a + 1, a + 1, b, b + 1)
    }
  }
  return meshNode(doc, name, { pos, nrm, uv, tan, idx }, material, tangents)
}

/** A flat slab (a quad of 2 triangles per cell on a grid) facing +z, with tangents along +x. */
function slab (doc: Document, name: string, w: number, h: number, cells: number, material: Material, tangents: boolean): Node {
  const pos: number[] = []; const nrm: number[] = []; const uv: number[] = []; const tan: number[] = []; const idx: number[] = []
  for (let j = 0; j <= cells; j++) {
    for (let i = 0; i <= cells; i++) {
      pos.push(-w / 2 + w * i / cells, h / 2 - h * j / cells, 0); nrm.push(0, 0, 1); uv.push(i / cells, j / cells); tan.push(1, 0, 0, 1)
    }
  }
  for (let j = 0; j < cells; j++) {
    for (let i = 0; i < cells; i++) {
      const a = j * (cells + 1) + i; const b = a + cells + 1
      idx.push(a, b, a + 1, a + 1, b, b + 1)
    }
  }
  return meshNode(doc, name, { pos, nrm, uv, tan, idx }, material, tangents)
}

/** The showcase scene (about 2.4 × 2 units, centred at the origin). */
export function pbrScene (opts: PbrSceneOptions = {}): Document {
  const { doc, add } = newDocument()
  const tangents = opts.tangents ?? true
  const rings = opts.rings ?? 32
  const normal = (opts.normalMap ?? true) ? texture(doc, 'normal', normalMapPng(256)) : null
  const metal = doc.createMaterial('riveted metal').setBaseColorFactor([0.95, 0.78, 0.45, 1]).setMetallicFactor(1).setRoughnessFactor(1)
  if (opts.metallicRoughnessMap ?? true) metal.setMetallicRoughnessTexture(texture(doc, 'metallicRoughness', metallicRoughnessPng(256)))
  else metal.setRoughnessFactor(0.45)
  if (normal !== null) metal.setNormalTexture(normal)
  if (opts.occlusionMap ?? true) metal.setOcclusionTexture(texture(doc, 'occlusion', occlusionPng(256)))
  if (opts.emissiveMap ?? true) {
    metal.setEmissiveTexture(texture(doc, 'emissive', emissivePng(256))).setEmissiveFactor([1, 1, 1])
    metal.setExtension('KHR_materials_emissive_strength', doc.createExtension(KHRMaterialsEmissiveStrength).createEmissiveStrength().setEmissiveStrength(1.5))
  }
  add(sphere(doc, 'metal sphere', rings, 0.8, metal, tangents).setTranslation([-0.55, 0.1, 0]))

  const painted = doc.createMaterial('painted slab').setBaseColorFactor([1, 1, 1, 1]).setMetallicFactor(0).setRoughnessFactor(0.7)
    .setBaseColorTexture(texture(doc, 'baseColor', baseColorPng(opts.baseColorSize ?? 256)))
  if (normal !== null) painted.setNormalTexture(normal).setNormalScale(0.8)
  add(slab(doc, 'slab', 1.1, 1.6, 4, painted, tangents).setTranslation([0.75, 0, -0.2]).setRotation([0, -0.25881904510252074, 0, 0.9659258262890683]))

  let gloss: Material | null = null
  if (opts.withoutBall !== true) {
    gloss = doc.createMaterial('red gloss').setBaseColorFactor([0.8, 0.05, 0.04, 1]).setMetallicFactor(0).setRoughnessFactor(0.15)
    add(sphere(doc, 'red ball', 12, 0.22, gloss, false).setTranslation([0.35, -0.75, 0.45]))
  }

  if (opts.layered === true) {
    const coat = doc.createExtension(KHRMaterialsClearcoat)
    const coatTexture = texture(doc, 'clearcoat', occlusionPng(64))
    metal.setExtension('KHR_materials_clearcoat', coat.createClearcoat().setClearcoatFactor(0.8).setClearcoatTexture(coatTexture).setClearcoatRoughnessFactor(0.2))
    if (gloss !== null) gloss.setExtension('KHR_materials_clearcoat', coat.createClearcoat().setClearcoatFactor(1).setClearcoatRoughnessFactor(0.05))
    painted.setExtension('KHR_materials_specular', doc.createExtension(KHRMaterialsSpecular).createSpecular().setSpecularFactor(0.7).setSpecularColorFactor([1, 0.8, 0.6]))
    painted.setExtension('KHR_materials_ior', doc.createExtension(KHRMaterialsIOR).createIOR().setIOR(1.8))
    const glass = doc.createMaterial('tinted glass').setBaseColorFactor([0.6, 0.9, 0.7, 1]).setMetallicFactor(0).setRoughnessFactor(0.1)
    glass.setExtension('KHR_materials_transmission', doc.createExtension(KHRMaterialsTransmission).createTransmission().setTransmissionFactor(0.7))
    add(slab(doc, 'glass', 0.6, 0.6, 2, glass, tangents).setTranslation([-0.2, -0.55, 0.7]))
  }

  if (opts.lights !== undefined && opts.lights.length > 0) {
    const ext = doc.createExtension(KHRLightsPunctual)
    for (const l of opts.lights) {
      const light: Light = ext.createLight().setType(l.type).setColor(l.color).setIntensity(l.intensity)
      if (l.range !== undefined) light.setRange(l.range)
      const node = doc.createNode(`${l.type} light`).setTranslation(l.position).setExtension('KHR_lights_punctual', light)
      if (l.rotation !== undefined) node.setRotation(l.rotation)
      add(node)
    }
  }
  return doc
}
