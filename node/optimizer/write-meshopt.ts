/**
 * Writes a document as GLB with EXT_meshopt_compression: every vertex, index
 * and animation buffer view compressed by meshoptimizer's encoder (reference
 * WebAssembly build, so the same bytes on every node), with its filters
 * (octahedral normals, quaternions, exponential) where the accessor allows
 * them. The extension is required: readers without a meshopt decoder must
 * refuse the file rather than draw garbage.
 */
import type { Document } from '@gltf-transform/core'
import { EXTMeshoptCompression } from '@gltf-transform/extensions'
import { MeshoptEncoder } from 'meshoptimizer/encoder'
import { createSceneIO } from '../scene/load-scene.ts'
import type { Operation } from './report.ts'

/** Writes `doc` compressed with EXT_meshopt_compression (filter method) and notes the operation. */
export async function writeMeshopt (doc: Document, operations: Operation[]): Promise<Uint8Array> {
  await MeshoptEncoder.ready
  doc.createExtension(EXTMeshoptCompression).setRequired(true).setEncoderOptions({ method: EXTMeshoptCompression.EncoderMethod.FILTER })
  const io = createSceneIO().registerExtensions([EXTMeshoptCompression]).registerDependencies({ 'meshopt.encoder': MeshoptEncoder })
  const out = await io.writeBinary(doc)
  operations.push({ name: 'meshopt', detail: 'EXT_meshopt_compression: buffer views compressed by meshoptimizer\'s encoder with its filters' })
  return out
}
