/**
 * Writes a document as GLB with EXT_meshopt_compression: every vertex, index
 * and animation buffer view compressed by meshoptimizer's encoder (reference
 * WebAssembly build, so the same bytes on every node), with its filters
 * (octahedral normals, quaternions, exponential) where the accessor allows
 * them. The extension is required: readers without a meshopt decoder must
 * refuse the file rather than draw garbage.
 *
 * Vertex streams are grouped across primitives, as gltfpack lays them out:
 * one buffer view, hence one compressed stream, per kind of stream (mode,
 * filter and stride) instead of one per accessor. glTF-Transform keeps each
 * primitive's vertex accessors in views of their own (for interleaving); a
 * scene of many small meshes then pays each stream's fixed cost (header and
 * tail) once per accessor, and each small stream compresses worse than one
 * long one (the generated shapes scene of 40 meshes: 13,592 bytes of
 * compressed data against 10,948 for gltfpack -cc before the grouping).
 */
import { type Document, PropertyType, WriterContext } from '@gltf-transform/core'
import { EXTMeshoptCompression } from '@gltf-transform/extensions'
import { MeshoptEncoder } from 'meshoptimizer/encoder'
import { createSceneIO } from '../scene/load-scene.ts'
import { writeGlb } from '../scene/write-glb.ts'
import type { Operation } from './report.ts'

/**
 * EXT_meshopt_compression whose vertex accessors share buffer views across
 * primitives (see the module comment): before it claims the accessors, the
 * writer's grouping of vertex accessors by their primitive is switched off
 * for this write only (the context is made per write).
 */
class GroupedMeshoptCompression extends EXTMeshoptCompression {
  /** @hidden */
  override prewrite (context: WriterContext, propertyType: PropertyType): this {
    if (propertyType === PropertyType.ACCESSOR) context.accessorUsageGroupedByParent.delete(WriterContext.BufferViewUsage.ARRAY_BUFFER)
    return super.prewrite(context, propertyType)
  }
}

/** Writes `doc` compressed with EXT_meshopt_compression (filter method) and notes the operation. */
export async function writeMeshopt (doc: Document, operations: Operation[]): Promise<Uint8Array> {
  await MeshoptEncoder.ready
  // A document read from a meshopt file was decompressed first (decompress-scene.ts), so none is held; drop one if it is.
  for (const ext of doc.getRoot().listExtensionsUsed()) if (ext.extensionName === EXTMeshoptCompression.EXTENSION_NAME) ext.dispose()
  doc.createExtension(GroupedMeshoptCompression).setRequired(true).setEncoderOptions({ method: EXTMeshoptCompression.EncoderMethod.FILTER })
  const io = createSceneIO().registerExtensions([GroupedMeshoptCompression]).registerDependencies({ 'meshopt.encoder': MeshoptEncoder })
  const out = await writeGlb(io, doc)
  operations.push({ name: 'meshopt', detail: 'EXT_meshopt_compression: buffer views compressed by meshoptimizer\'s encoder with its filters' })
  return out
}
