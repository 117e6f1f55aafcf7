/**
 * zod schema of the part of glTF 2.0 JSON that the loader checks before
 * handing a scene to glTF-Transform: everything that points at bytes
 * (buffers, buffer views, accessors, images) and every index reference the
 * reader follows. Other properties pass through untouched (loose objects).
 */
import { z } from 'zod'

const index = z.number().int().nonnegative()
const indexList = z.array(index)

/** Accessor component types of glTF 2.0 and their byte sizes. */
export const COMPONENT_SIZES: Readonly<Record<number, number>> = { 5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4 }
/** Number of components of each accessor type. */
export const TYPE_COMPONENTS: Readonly<Record<string, number>> = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4, MAT2: 4, MAT3: 9, MAT4: 16 }

const componentType = z.union([z.literal(5120), z.literal(5121), z.literal(5122), z.literal(5123), z.literal(5125), z.literal(5126)])

const textureInfo = z.looseObject({ index, texCoord: index.optional() })

/** An accessor as far as bounds checks need it. */
export const accessorSchema = z.looseObject({
  bufferView: index.optional(),
  byteOffset: index.optional(),
  componentType,
  count: z.number().int().min(1),
  type: z.enum(['SCALAR', 'VEC2', 'VEC3', 'VEC4', 'MAT2', 'MAT3', 'MAT4']),
  normalized: z.boolean().optional(),
  sparse: z.looseObject({
    count: z.number().int().min(1),
    indices: z.looseObject({ bufferView: index, byteOffset: index.optional(), componentType: z.union([z.literal(5121), z.literal(5123), z.literal(5125)]) }),
    values: z.looseObject({ bufferView: index, byteOffset: index.optional() })
  }).optional()
})

const primitiveSchema = z.looseObject({
  attributes: z.record(z.string(), index),
  indices: index.optional(),
  material: index.optional(),
  mode: z.number().int().min(0).max(6).optional(),
  targets: z.array(z.record(z.string(), index)).optional()
})

/** The checked subset of a glTF 2.0 document. */
export const gltfSchema = z.looseObject({
  asset: z.looseObject({ version: z.string().regex(/^2\.[0-9]+$/), minVersion: z.string().optional() }),
  extensionsUsed: z.array(z.string()).optional(),
  extensionsRequired: z.array(z.string()).optional(),
  buffers: z.array(z.looseObject({ byteLength: z.number().int().min(1), uri: z.string().optional() })).optional(),
  bufferViews: z.array(z.looseObject({
    buffer: index,
    byteOffset: index.optional(),
    byteLength: z.number().int().min(1),
    byteStride: z.number().int().min(4).max(252).optional()
  })).optional(),
  accessors: z.array(accessorSchema).optional(),
  images: z.array(z.looseObject({ uri: z.string().optional(), mimeType: z.string().optional(), bufferView: index.optional() })).optional(),
  samplers: z.array(z.looseObject({})).optional(),
  textures: z.array(z.looseObject({ source: index.optional(), sampler: index.optional() })).optional(),
  materials: z.array(z.looseObject({
    pbrMetallicRoughness: z.looseObject({ baseColorTexture: textureInfo.optional(), metallicRoughnessTexture: textureInfo.optional() }).optional(),
    normalTexture: textureInfo.optional(),
    occlusionTexture: textureInfo.optional(),
    emissiveTexture: textureInfo.optional(),
    alphaMode: z.enum(['OPAQUE', 'MASK', 'BLEND']).optional(),
    extensions: z.record(z.string(), z.unknown()).optional()
  })).optional(),
  meshes: z.array(z.looseObject({ primitives: z.array(primitiveSchema).min(1) })).optional(),
  nodes: z.array(z.looseObject({
    children: indexList.optional(),
    mesh: index.optional(),
    skin: index.optional(),
    camera: index.optional(),
    extensions: z.record(z.string(), z.unknown()).optional()
  })).optional(),
  skins: z.array(z.looseObject({ joints: indexList.min(1), inverseBindMatrices: index.optional(), skeleton: index.optional() })).optional(),
  cameras: z.array(z.looseObject({})).optional(),
  animations: z.array(z.looseObject({
    channels: z.array(z.looseObject({ sampler: index, target: z.looseObject({ node: index.optional(), path: z.string() }) })).min(1),
    samplers: z.array(z.looseObject({ input: index, output: index, interpolation: z.enum(['LINEAR', 'STEP', 'CUBICSPLINE']).optional() })).min(1)
  })).optional(),
  scenes: z.array(z.looseObject({ nodes: indexList.optional() })).optional(),
  scene: index.optional(),
  extensions: z.record(z.string(), z.unknown()).optional()
})

/** A glTF document after schema validation. */
export type GltfJson = z.infer<typeof gltfSchema>
/** An accessor after schema validation. */
export type GltfAccessor = z.infer<typeof accessorSchema>
