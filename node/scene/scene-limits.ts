/**
 * Limits of the bounded scene loader. Every limit is checked on the raw bytes
 * and JSON before glTF-Transform allocates anything, so a hostile file costs
 * at most a bounded amount of memory and time.
 */

/** Size and count limits applied to a scene before it is decoded. */
export interface SceneLimits {
  /** Largest accepted file, in bytes. */
  maxFileBytes: number
  /** Largest JSON chunk (GLB) or JSON file (.gltf), in bytes. */
  maxJsonBytes: number
  /** Most elements in one accessor (vertices, indices, keyframes). */
  maxAccessorElements: number
  /** Most bytes all accessors together may decode to (sparse and zero-filled accessors included). */
  maxAccessorBytes: number
  /** Largest width or height of one image, in pixels. */
  maxImageDimension: number
  /** Most pixels of one image. */
  maxImagePixels: number
  /** Most pixels of all images together. */
  maxTotalImagePixels: number
  /** Most entries of any top-level array (nodes, meshes, accessors, materials, ...). */
  maxArrayLength: number
  /** Deepest node hierarchy (glTF-Transform walks it recursively). */
  maxNodeDepth: number
  /** Deepest nesting of JSON arrays and objects (`extras` included), checked before the JSON is parsed. */
  maxJsonDepth: number
}

/** Default limits: generous for real assets, far below what exhausts a node. */
export const DEFAULT_SCENE_LIMITS: Readonly<SceneLimits> = Object.freeze({
  // 256 MiB: larger than typical production glTF deliveries (tens of MiB), and
  // small enough that a node can hold input and output in memory at once.
  maxFileBytes: 256 * 1024 * 1024,
  // 64 MiB of JSON is far beyond any real asset's JSON (usually < 1 MiB).
  maxJsonBytes: 64 * 1024 * 1024,
  // 2^26 elements: an indexed 20M-triangle mesh needs 60M indices, beyond the
  // seed's "extreme" class boundary (10M triangles).
  maxAccessorElements: 2 ** 26,
  // 1 GiB of decoded accessor data: the ceiling of what one node process
  // handles comfortably (Node's default heap is smaller than typed arrays).
  maxAccessorBytes: 2 ** 30,
  // 8192 px: the largest texture size most GPUs and engines accept everywhere.
  maxImageDimension: 8192,
  // One 8192 x 8192 image (256 MiB as RGBA8 when decoded for resizing).
  maxImagePixels: 8192 * 8192,
  // Four such images in all: 1 GiB of RGBA8 texture memory.
  maxTotalImagePixels: 4 * 8192 * 8192,
  // 1M entries per array: beyond any real scene, bounded by the JSON size anyway.
  maxArrayLength: 1_000_000,
  // 512 levels: far deeper than authored hierarchies (tens of levels), shallow
  // enough for recursive traversal without stack exhaustion.
  maxNodeDepth: 512,
  // 256 levels: glTF's own schema nests fewer than 10 and authored `extras`
  // a few more; the JSON is copied and written by recursive code (glTF-Transform,
  // JSON.stringify), which runs out of stack some thousands of levels down.
  maxJsonDepth: 256
})

/**
 * Extensions a scene may list in `extensionsRequired` once its compression is
 * decoded (EXT_meshopt_compression and KHR_draco_mesh_compression are decoded
 * before these checks, see decompress-scene.ts). Of the texture formats,
 * EXT_texture_webp is in: the loader reads a WebP's size from its header and
 * bounds it like PNG and JPEG, and the optimizer and the renderer decode it
 * with one WebAssembly build of libwebp. KTX2/Basis and AVIF are left out: the
 * loader does not bound their decoded size, and nothing downstream decodes them.
 */
export const SUPPORTED_EXTENSIONS: readonly string[] = Object.freeze([
  'EXT_mesh_gpu_instancing',
  'KHR_lights_punctual',
  'KHR_materials_anisotropy',
  'KHR_materials_clearcoat',
  'KHR_materials_diffuse_transmission',
  'KHR_materials_dispersion',
  'KHR_materials_emissive_strength',
  'KHR_materials_ior',
  'KHR_materials_iridescence',
  'KHR_materials_pbrSpecularGlossiness',
  'KHR_materials_sheen',
  'KHR_materials_specular',
  'KHR_materials_transmission',
  'KHR_materials_unlit',
  'KHR_materials_variants',
  'KHR_materials_volume',
  'KHR_mesh_quantization',
  'KHR_node_visibility',
  'KHR_texture_transform',
  'KHR_xmp_json_ld',
  'EXT_texture_webp'
])
