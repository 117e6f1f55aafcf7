/**
 * Scenes built with glTF-Transform for the renderer's tests: each a small,
 * fully specified document, so golden hashes pin the renderer, not the files.
 */
import { Document, Logger, type Node, type Material, type Primitive } from '@gltf-transform/core'
import { createSceneIO } from '../../../node/scene/load-scene.ts'
import { PNG } from 'pngjs'

/** Adds a primitive from raw arrays to `doc` (positions required). */
export function addPrimitive (doc: Document, data: { positions: number[], indices?: number[], normals?: number[], uvs?: number[], colors?: number[], material?: Material | null }): Primitive {
  const buffer = doc.getRoot().listBuffers()[0] ?? doc.createBuffer()
  const prim = doc.createPrimitive()
  prim.setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(new Float32Array(data.positions)).setBuffer(buffer))
  if (data.normals !== undefined) prim.setAttribute('NORMAL', doc.createAccessor().setType('VEC3').setArray(new Float32Array(data.normals)).setBuffer(buffer))
  if (data.uvs !== undefined) prim.setAttribute('TEXCOORD_0', doc.createAccessor().setType('VEC2').setArray(new Float32Array(data.uvs)).setBuffer(buffer))
  if (data.colors !== undefined) prim.setAttribute('COLOR_0', doc.createAccessor().setType('VEC4').setArray(new Float32Array(data.colors)).setBuffer(buffer))
  if (data.indices !== undefined) prim.setIndices(doc.createAccessor().setType('SCALAR').setArray(new Uint32Array(data.indices)).setBuffer(buffer))
  if (data.material !== undefined && data.material !== null) prim.setMaterial(data.material)
  return prim
}

/** A new document with one scene; returns the document and the scene root list helper. */
export function newDocument (): { doc: Document, add: (node: Node) => void } {
  const doc = new Document().setLogger(new Logger(Logger.Verbosity.SILENT))
  doc.createBuffer()
  const scene = doc.createScene('scene')
  doc.getRoot().setDefaultScene(scene)
  return { doc, add: (n) => { scene.addChild(n) } }
}

/** Unit cube centred at the origin (side 1), 24 vertices with face normals, counter-clockwise outward. */
export function cubeArrays (): { positions: number[], normals: number[], uvs: number[], indices: number[] } {
  const positions: number[] = []; const normals: number[] = []; const uvs: number[] = []; const indices: number[] = []
  const faces: Array<[number[], number[], number[]]> = [
    // normal, u axis, v axis (u × v = normal so the winding is counter-clockwise seen from outside)
    [[1, 0, 0], [0, 0, -1], [0, 1, 0]],
    [[-1, 0, 0], [0, 0, 1], [0, 1, 0]],
    [[0, 1, 0], [1, 0, 0], [0, 0, -1]],
    [[0, -1, 0], [1, 0, 0], [0, 0, 1]],
    [[0, 0, 1], [1, 0, 0], [0, 1, 0]],
    [[0, 0, -1], [-1, 0, 0], [0, 1, 0]]
  ]
  for (const [n, u, v] of faces) {
    const base = positions.length / 3
    for (const [su, sv] of [[-1, -1], [1, -1], [1, 1], [-1, 1]] as const) {
      for (let k = 0; k < 3; k++) positions.push(0.5 * (n[k]! + su * u[k]! + sv * v[k]!))
      normals.push(...n)
      uvs.push((su + 1) / 2, (1 - sv) / 2)
    }
    indices.push(base, base + 1, base + 2, base, base + 2, base + 3)
  }
  return { positions, normals, uvs, indices }
}

/** A PNG (RGBA8) of `w`×`h` from a pixel function. */
export function makePng (w: number, h: number, px: (x: number, y: number) => [number, number, number, number]): Uint8Array {
  const png = new PNG({ width: w, height: h })
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) png.data.set(px(x, y), (y * w + x) * 4)
  return new Uint8Array(PNG.sync.write(png))
}

/** GLB bytes of a document, written with the loader's extension set (so quantization and instancing are declared). */
export async function toGlb (doc: Document): Promise<Uint8Array> {
  return await createSceneIO().writeBinary(doc)
}
