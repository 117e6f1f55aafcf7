/**
 * Procedurally generated glTF scenes for tests, benchmarks and simulations:
 * subdivided grids of known triangle counts, real PNG textures made with
 * pngjs, KHR_lights_punctual lights, animations, skins, morph targets and
 * transmission/volume materials. Everything is deterministic (no randomness).
 */
import { Document, type Material, type Mesh, NodeIO, type Node } from '@gltf-transform/core'
import { KHRLightsPunctual, KHRMaterialsTransmission, KHRMaterialsVolume } from '@gltf-transform/extensions'
import { PNG } from 'pngjs'
import { createSceneIO } from '../node/optimizer/index.ts'

/** What to put into a generated scene. */
export interface SceneSpec {
  /** Segments per side of each grid mesh; a grid of n segments has 2·n² triangles. */
  grids?: number[]
  /** Extra nodes that reuse the first grid's mesh (instancing candidates). */
  copies?: number
  /** Base-colour texture size, or none. */
  texture?: [number, number]
  /** Number of point lights (KHR_lights_punctual). */
  lights?: number
  /** Animate the first grid's node (translation keyframes). */
  animation?: number
  /** Skin the first grid with two joints. */
  skin?: boolean
  /** Give the first grid one morph target. */
  morph?: boolean
  /** Use a transmission material (transparency) / a volume material (volumetrics) / alpha BLEND. */
  transmission?: boolean
  volume?: boolean
  blend?: boolean
  /** Separate material per grid (default one shared material). */
  materialPerGrid?: boolean
}

/** A deterministic RGBA PNG of the given size: smooth gradients plus a checker, so resizing has real content. */
export function makePng (width: number, height: number): Uint8Array {
  const png = new PNG({ width, height })
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4
      const checker = ((x >> 3) + (y >> 3)) % 2 === 0 ? 40 : 0
      png.data[i] = Math.floor((x / width) * 200) + checker
      png.data[i + 1] = Math.floor((y / height) * 200) + checker
      png.data[i + 2] = (x * 7 + y * 13) % 256
      png.data[i + 3] = 255
    }
  }
  return new Uint8Array(PNG.sync.write(png))
}

/** Adds an n × n grid mesh (2·n² triangles, positions, normals, UVs, indices) to `doc`. */
export function addGrid (doc: Document, n: number, material: Material, morph = false, skin = false): Mesh {
  const buffer = doc.getRoot().listBuffers()[0] ?? doc.createBuffer()
  const v = n + 1
  const pos = new Float32Array(v * v * 3)
  const nor = new Float32Array(v * v * 3)
  const uv = new Float32Array(v * v * 2)
  for (let y = 0; y < v; y++) {
    for (let x = 0; x < v; x++) {
      const k = y * v + x
      // A gentle deterministic relief so simplification has to make real choices.
      pos.set([x / n - 0.5, 0.05 * Math.sin(x / n * 6.283) * Math.cos(y / n * 6.283), y / n - 0.5], k * 3)
      nor.set([0, 1, 0], k * 3)
      uv.set([x / n, y / n], k * 2)
    }
  }
  const idx = v * v > 65535 ? new Uint32Array(n * n * 6) : new Uint16Array(n * n * 6)
  let t = 0
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const a = y * v + x; const b = a + 1; const c = a + v; const d = c + 1
      idx[t++] = a; idx[t++] = c; idx[t++] = b; idx[t++] = b; idx[t++] = c; idx[t++] = d
    }
  }
  const prim = doc.createPrimitive()
    .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(pos).setBuffer(buffer))
    .setAttribute('NORMAL', doc.createAccessor().setType('VEC3').setArray(nor).setBuffer(buffer))
    .setAttribute('TEXCOORD_0', doc.createAccessor().setType('VEC2').setArray(uv).setBuffer(buffer))
    .setIndices(doc.createAccessor().setType('SCALAR').setArray(idx).setBuffer(buffer))
    .setMaterial(material)
  if (morph) {
    const delta = new Float32Array(v * v * 3)
    for (let k = 0; k < v * v; k++) delta[k * 3 + 1] = 0.1 * ((k % 7) / 7)
    prim.addTarget(doc.createPrimitiveTarget().setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(delta).setBuffer(buffer)))
  }
  if (skin) {
    const joints = new Uint8Array(v * v * 4)
    const weights = new Float32Array(v * v * 4)
    for (let k = 0; k < v * v; k++) {
      const w = (k % v) / n
      joints.set([0, 1, 0, 0], k * 4)
      weights.set([1 - w, w, 0, 0], k * 4)
    }
    prim.setAttribute('JOINTS_0', doc.createAccessor().setType('VEC4').setArray(joints).setBuffer(buffer))
    prim.setAttribute('WEIGHTS_0', doc.createAccessor().setType('VEC4').setArray(weights).setBuffer(buffer))
  }
  const mesh = doc.createMesh(`grid${n}`).addPrimitive(prim)
  if (morph) mesh.setWeights([0])
  return mesh
}

/** Builds a scene Document from `spec`. */
export function buildScene (spec: SceneSpec): Document {
  const doc = new Document()
  doc.getRoot().getAsset().generator = 'trust-engine test scenes'
  doc.createBuffer()
  const scene = doc.createScene('scene')
  const texture = spec.texture === undefined ? null : doc.createTexture('base').setImage(makePng(spec.texture[0], spec.texture[1])).setMimeType('image/png')
  const makeMaterial = (i: number): Material => {
    const m = doc.createMaterial(`mat${i}`).setBaseColorFactor([0.8, 0.7 - i * 0.01, 0.6, spec.blend === true ? 0.5 : 1])
    if (texture !== null) m.setBaseColorTexture(texture)
    if (spec.blend === true) m.setAlphaMode('BLEND')
    if (spec.transmission === true) m.setExtension('KHR_materials_transmission', doc.createExtension(KHRMaterialsTransmission).createTransmission().setTransmissionFactor(0.8))
    if (spec.volume === true) m.setExtension('KHR_materials_volume', doc.createExtension(KHRMaterialsVolume).createVolume().setThicknessFactor(0.5))
    return m
  }
  const shared = makeMaterial(0)
  const nodes: Node[] = []
  for (const [i, n] of (spec.grids ?? [8]).entries()) {
    const material = spec.materialPerGrid === true && i > 0 ? makeMaterial(i) : shared
    const mesh = addGrid(doc, n, material, i === 0 && spec.morph === true, i === 0 && spec.skin === true)
    const node = doc.createNode(`grid${i}`).setMesh(mesh).setTranslation([i * 1.5, 0, 0])
    scene.addChild(node)
    nodes.push(node)
  }
  for (let c = 0; c < (spec.copies ?? 0); c++) {
    scene.addChild(doc.createNode(`copy${c}`).setMesh(nodes[0]!.getMesh()).setTranslation([0, 0, (c + 1) * 1.5]))
  }
  if ((spec.lights ?? 0) > 0) {
    const ext = doc.createExtension(KHRLightsPunctual)
    for (let l = 0; l < spec.lights!; l++) {
      const light = ext.createLight(`light${l}`).setType('point').setIntensity(10).setColor([1, 1, 1])
      scene.addChild(doc.createNode(`lamp${l}`).setExtension('KHR_lights_punctual', light).setTranslation([l, 3, 0]))
    }
  }
  if (spec.skin === true) {
    const j0 = doc.createNode('joint0')
    const j1 = doc.createNode('joint1').setTranslation([0.5, 0, 0])
    j0.addChild(j1)
    scene.addChild(j0)
    const ibm = new Float32Array(32)
    ibm.set([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], 0)
    ibm.set([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, -0.5, 0, 0, 1], 16)
    const skin = doc.createSkin('skin').addJoint(j0).addJoint(j1)
      .setInverseBindMatrices(doc.createAccessor().setType('MAT4').setArray(ibm).setBuffer(doc.getRoot().listBuffers()[0]!))
    nodes[0]!.setSkin(skin)
  }
  if ((spec.animation ?? 0) > 0) {
    const frames = spec.animation!
    const times = new Float32Array(frames)
    const values = new Float32Array(frames * 3)
    for (let f = 0; f < frames; f++) { times[f] = f / 30; values.set([0, Math.sin(f / 5), 0], f * 3) }
    const buffer = doc.getRoot().listBuffers()[0]!
    const sampler = doc.createAnimationSampler()
      .setInput(doc.createAccessor().setType('SCALAR').setArray(times).setBuffer(buffer))
      .setOutput(doc.createAccessor().setType('VEC3').setArray(values).setBuffer(buffer))
      .setInterpolation('LINEAR')
    // A skinned mesh's node must not be animated (its joints are); animate a joint then.
    const target = spec.skin === true ? doc.getRoot().listNodes().find((n) => n.getName() === 'joint1')! : nodes[0]!
    const channel = doc.createAnimationChannel().setTargetNode(target).setTargetPath('translation').setSampler(sampler)
    doc.createAnimation('move').addSampler(sampler).addChannel(channel)
  }
  return doc
}

/** Builds `spec` and writes it as GLB bytes. */
export async function makeGlb (spec: SceneSpec): Promise<Uint8Array> {
  return createSceneIO().writeBinary(buildScene(spec))
}

/** Builds `spec` and writes it as self-contained .gltf JSON bytes (buffers and images as data URIs). */
export async function makeGltfJson (spec: SceneSpec): Promise<Uint8Array> {
  const { json, resources } = await createSceneIO().writeJSON(buildScene(spec), { basename: 'scene' })
  const dataUri = (uri: string, mime: string): string => `data:${mime};base64,${Buffer.from(resources[uri]!).toString('base64')}`
  for (const b of json.buffers ?? []) if (b.uri !== undefined) b.uri = dataUri(b.uri, 'application/octet-stream')
  for (const im of json.images ?? []) if (im.uri !== undefined) im.uri = dataUri(im.uri, im.mimeType ?? 'image/png')
  return new TextEncoder().encode(JSON.stringify(json))
}

/** Plain glTF-Transform reader (baseline for the bench). */
export const plainIO = new NodeIO()
