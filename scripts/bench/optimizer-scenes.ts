/**
 * Generated scenes for the optimizer benchmark, shaped like the real files
 * users bring: a textured PBR asset whose bytes are mostly JPEG textures (base
 * colour, normal, metallic-roughness), a collection of many small meshes each
 * shared by several nodes, and one dense mesh (a scanned or sculpted
 * character). Deterministic: no randomness.
 */
import { Document } from '@gltf-transform/core'
import jpeg from 'jpeg-js'
import { createSceneIO } from '../../node/scene/load-scene.ts'
import { addGrid } from '../../sim/scenes.ts'
import { addExportedRelief } from '../../sim/exported-meshes.ts'

/** A photo-like JPEG (quality 95): smooth shading with fine deterministic grain. */
export function photoJpeg (size: number, tint: [number, number, number]): Uint8Array {
  const data = new Uint8Array(size * size * 4)
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const grain = (Math.imul((x * 73856093) ^ (y * 19349663), 83492791) >>> 0) % 20
      const i = (y * size + x) * 4
      const shade = 0.6 + 0.25 * Math.sin(x / 23) * Math.cos(y / 31) + 0.1 * Math.sin((x + y) / 7)
      data[i] = Math.min(255, tint[0] * shade + grain); data[i + 1] = Math.min(255, tint[1] * shade + grain); data[i + 2] = Math.min(255, tint[2] * shade + grain); data[i + 3] = 255
    }
  }
  return new Uint8Array(jpeg.encode({ width: size, height: size, data }, 95).data)
}

/** Textured PBR: a 20K-triangle mesh with 2048² base colour, 1024² normal and 1024² metallic-roughness JPEGs. */
export async function pbrScene (): Promise<Uint8Array> {
  const doc = new Document()
  doc.createBuffer()
  const m = doc.createMaterial('pbr')
    .setBaseColorTexture(doc.createTexture('base').setImage(photoJpeg(2048, [220, 180, 140])).setMimeType('image/jpeg'))
    .setNormalTexture(doc.createTexture('normal').setImage(photoJpeg(1024, [128, 128, 255])).setMimeType('image/jpeg'))
    .setMetallicRoughnessTexture(doc.createTexture('mr').setImage(photoJpeg(1024, [0, 160, 90])).setMimeType('image/jpeg'))
  doc.createScene().addChild(doc.createNode('helmet').setMesh(addGrid(doc, 100, m)))
  return await createSceneIO().writeBinary(doc)
}

/** Many small meshes: 40 distinct shapes of 72 to 800 triangles, each used by 3 nodes (120 nodes), untextured. */
export async function shapesScene (): Promise<Uint8Array> {
  const doc = new Document()
  doc.createBuffer()
  const scene = doc.createScene()
  for (let i = 0; i < 40; i++) {
    const m = doc.createMaterial(`m${i % 8}`).setBaseColorFactor([0.2 + (i % 8) / 10, 0.5, 0.7, 1])
    const mesh = addGrid(doc, 6 + (i % 15), m)
    for (let c = 0; c < 3; c++) scene.addChild(doc.createNode(`shape${i}.${c}`).setMesh(mesh).setTranslation([i % 8, c * 2, Math.floor(i / 8)]))
  }
  return await createSceneIO().writeBinary(doc)
}

/**
 * A dense character-like mesh as modelling tools export it: one 100K-triangle
 * relief surface written as a triangle soup whose vertex copies differ in the
 * last bits of their normals (sim/exported-meshes.ts), which a bitwise weld
 * cannot merge.
 */
export async function denseScene (): Promise<Uint8Array> {
  const doc = new Document()
  doc.createBuffer()
  doc.createScene().addChild(doc.createNode('character').setMesh(addExportedRelief(doc, 224, doc.createMaterial('skin'))))
  return await createSceneIO().writeBinary(doc)
}
