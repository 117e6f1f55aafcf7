/**
 * Measured facts about a loaded scene: what the GPU would draw (triangles,
 * vertices, draw calls, instancing included), what it holds (materials,
 * textures and their memory, lights, animations, skins, morph targets), and
 * the transparency / volumetrics / dynamic flags the analysis rules use.
 * Computed the same way before and after optimization, for the report.
 */
import type { Document, Node, Primitive } from '@gltf-transform/core'
import type { InstancedMesh, Transmission } from '@gltf-transform/extensions'
import { readSceneImageHeader } from './scene-image.ts'

/** Counts of materials by alpha mode. */
export interface AlphaModes { OPAQUE: number, MASK: number, BLEND: number }

/** Measured statistics of a scene. */
export interface SceneStats {
  /** Size of the file, in bytes. */
  fileBytes: number
  /** Triangles drawn for the scene (instancing and reused meshes counted per draw). */
  triangles: number
  /** Vertices uploaded per draw (instancing counted). */
  vertices: number
  /** Primitive draws, one per primitive per mesh-bearing node (an instanced mesh is one draw per primitive). */
  drawCalls: number
  nodes: number
  meshes: number
  primitives: number
  materials: number
  textures: number
  /** Encoded image bytes of all textures. */
  textureBytes: number
  /** GPU memory of all textures as RGBA8 with a full mip chain (w·h·4·4/3). */
  textureMemoryBytes: number
  /** Width and height of each texture, in document order. */
  textureSizes: Array<[number, number]>
  /** Lights (KHR_lights_punctual) placed in the scene. */
  lights: number
  animations: number
  animationChannels: number
  /** Keyframes of all animation samplers together. */
  keyframes: number
  /** Keyframes of the longest animation sampler (the scene's animation frame count). */
  animationFrames: number
  skins: number
  morphTargets: number
  /** Instanced draws (nodes with EXT_mesh_gpu_instancing). */
  instancedNodes: number
  alphaModes: AlphaModes
  transmissionMaterials: number
  volumeMaterials: number
  /** Any BLEND material or any material with transmission. */
  transparency: boolean
  /** Any material with KHR_materials_volume. */
  volumetrics: boolean
  /** Animations, skins or morph targets present. */
  dynamic: boolean
  /** Triangles on animated, skinned or morphed geometry. */
  dynamicTriangles: number
  /** dynamicTriangles / triangles (0 for a scene without triangles). */
  dynamicRatio: number
  /** GPU memory of vertex, index and morph target data. */
  geometryBytes: number
  /** geometryBytes + textureMemoryBytes. */
  gpuMemoryBytes: number
}

const TRIANGLES = 4
const TRIANGLE_STRIP = 5
const TRIANGLE_FAN = 6

/** Triangles of one primitive (0 for points and lines). */
export function primitiveTriangles (prim: Primitive): number {
  const n = (prim.getIndices() ?? prim.getAttribute('POSITION'))?.getCount() ?? 0
  const mode = prim.getMode()
  if (mode === TRIANGLES) return Math.floor(n / 3)
  if (mode === TRIANGLE_STRIP || mode === TRIANGLE_FAN) return Math.max(0, n - 2)
  return 0
}

function instanceCount (node: Node): number {
  const inst = node.getExtension<InstancedMesh>('EXT_mesh_gpu_instancing')
  if (inst === null) return 1
  const first = inst.listAttributes()[0]
  return first === undefined ? 1 : first.getCount()
}

/** Measures `document`; `fileBytes` is the size of the bytes it was read from or written to. */
export function measureScene (document: Document, fileBytes: number): SceneStats {
  const root = document.getRoot()
  const animatedNodes = new Set<Node>()
  let channels = 0
  let keyframes = 0
  let animationFrames = 0
  for (const anim of root.listAnimations()) {
    for (const ch of anim.listChannels()) {
      channels++
      const target = ch.getTargetNode()
      if (target !== null) animatedNodes.add(target)
    }
    for (const s of anim.listSamplers()) {
      const k = s.getInput()?.getCount() ?? 0
      keyframes += k
      animationFrames = Math.max(animationFrames, k)
    }
  }

  let triangles = 0; let vertices = 0; let drawCalls = 0; let lights = 0; let dynamicTriangles = 0; let instancedNodes = 0
  const visit = (node: Node, dynamicParent: boolean): void => {
    const dynamic = dynamicParent || animatedNodes.has(node)
    if (node.getExtension('KHR_lights_punctual') !== null) lights++
    const mesh = node.getMesh()
    if (mesh !== null) {
      const instances = instanceCount(node)
      if (instances > 1 || node.getExtension('EXT_mesh_gpu_instancing') !== null) instancedNodes++
      for (const prim of mesh.listPrimitives()) {
        const tris = primitiveTriangles(prim) * instances
        triangles += tris
        vertices += (prim.getAttribute('POSITION')?.getCount() ?? 0) * instances
        drawCalls++
        if (dynamic || node.getSkin() !== null || prim.listTargets().length > 0) dynamicTriangles += tris
      }
    }
    for (const child of node.listChildren()) visit(child, dynamic)
  }
  for (const scene of root.listScenes()) for (const child of scene.listChildren()) visit(child, false)

  let morphTargets = 0
  const geometry = new Set<{ getByteLength: () => number }>()
  for (const mesh of root.listMeshes()) {
    for (const prim of mesh.listPrimitives()) {
      morphTargets += prim.listTargets().length
      for (const a of prim.listAttributes()) geometry.add(a)
      const indices = prim.getIndices()
      if (indices !== null) geometry.add(indices)
      for (const t of prim.listTargets()) for (const a of t.listAttributes()) geometry.add(a)
    }
  }
  let geometryBytes = 0
  for (const a of geometry) geometryBytes += a.getByteLength()

  const textureSizes: Array<[number, number]> = []
  let textureBytes = 0; let textureMemoryBytes = 0
  for (const tex of root.listTextures()) {
    const image = tex.getImage()
    if (image === null) continue
    const { width, height } = readSceneImageHeader(image)
    textureSizes.push([width, height])
    textureBytes += image.byteLength
    textureMemoryBytes += Math.ceil(width * height * 4 * 4 / 3)
  }

  const alphaModes: AlphaModes = { OPAQUE: 0, MASK: 0, BLEND: 0 }
  let transmissionMaterials = 0; let volumeMaterials = 0
  for (const m of root.listMaterials()) {
    alphaModes[m.getAlphaMode()]++
    const tr = m.getExtension<Transmission>('KHR_materials_transmission')
    if (tr !== null && (tr.getTransmissionFactor() > 0 || tr.getTransmissionTexture() !== null)) transmissionMaterials++
    if (m.getExtension('KHR_materials_volume') !== null) volumeMaterials++
  }
  const skins = root.listSkins().length
  const dynamic = channels > 0 || skins > 0 || morphTargets > 0
  return {
    fileBytes,
    triangles,
    vertices,
    drawCalls,
    nodes: root.listNodes().length,
    meshes: root.listMeshes().length,
    primitives: root.listMeshes().reduce((n, m) => n + m.listPrimitives().length, 0),
    materials: root.listMaterials().length,
    textures: textureSizes.length,
    textureBytes,
    textureMemoryBytes,
    textureSizes,
    lights,
    animations: root.listAnimations().length,
    animationChannels: channels,
    keyframes,
    animationFrames,
    skins,
    morphTargets,
    instancedNodes,
    alphaModes,
    transmissionMaterials,
    volumeMaterials,
    transparency: alphaModes.BLEND > 0 || transmissionMaterials > 0,
    volumetrics: volumeMaterials > 0,
    dynamic,
    dynamicTriangles,
    dynamicRatio: triangles === 0 ? (dynamic ? 1 : 0) : dynamicTriangles / triangles,
    geometryBytes,
    gpuMemoryBytes: geometryBytes + textureMemoryBytes
  }
}
