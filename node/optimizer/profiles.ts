/**
 * What each optimization profile does to a scene: simplification target and
 * error bound, vertex quantization, texture size limit, GPU instancing. The
 * route (baking, 3dgs, hybrid) adds hierarchy passes on top: static scenes
 * routed to baking are flattened and joined to cut draw calls; hybrid scenes
 * are joined level by level; 3dgs scenes keep their hierarchy, which their
 * animation drives.
 */
import type { Profile } from './analysis-rules.ts'
import type { TextureFormats, TextureQualities } from './texture-pass.ts'

/** Vertex attribute quantization bits (KHR_mesh_quantization). */
export interface QuantizeBits { position: number, normal: number, texcoord: number }

/** The passes of one profile. */
export interface ProfilePasses {
  /** Target share of triangles kept by simplification; 1 disables it. */
  ratio: number
  /** Simplification error bound, as a fraction of the mesh radius (meshoptimizer's metric). */
  error: number
  /** Keep open borders of meshes in place during simplification (otherwise parts smaller than the error may be pruned). */
  lockBorder: boolean
  /** Error bound of the sloppy fallback where the precise simplifier stops above the ratio, or null for none (it ignores attribute seams and topology). */
  sloppyError: number | null
  /** Largest texture width or height after resizing. */
  maxTextureSize: number
  /** Quantization bits, or null to keep float attributes. */
  quantize: QuantizeBits | null
  /** Minimum number of nodes sharing a mesh for GPU instancing, or null to disable it. */
  instancing: number | null
  /** JPEG quality per texture role (colour, normal, data, other), null for lossless. */
  textureQuality: TextureQualities
  /** Write EXT_meshopt_compression: for web delivery, where three.js, Babylon.js and the network's renderer decode it. */
  meshopt: boolean
  /** Texture output formats: `webp` adds WebP (EXT_texture_webp, required) for the web-delivery profiles, which already require meshopt support of their viewers. */
  textureFormat: TextureFormats
}

// Quantization bits below are gltfpack's defaults (position 14, normal 8,
// texcoord 12): position is sub-millimetre on a 10 m object, 8-bit normals are
// within about 0.5 degrees; "fine" widens them to 16/12/14 for scenes where
// geometry is judged up close.
const DEFAULT_QUANTIZE: QuantizeBits = { position: 14, normal: 8, texcoord: 12 }
const FINE_QUANTIZE: QuantizeBits = { position: 16, normal: 12, texcoord: 14 }
// 5 copies: glTF-Transform's default threshold for instancing, below which the
// extension's overhead outweighs the draw calls it saves.
const INSTANCING_MIN = 5
// Sloppy fallback error: gltfpack's -sa uses 0.1 (10 % of the extent); 0.02 keeps economy and realtime within
// twice their precise bound, enough to cross the attribute seams of blocky and faceted meshes.
const SLOPPY_ERROR = 0.02
// JPEG qualities per texture role. 85 for colour is the usual web-delivery
// setting (libjpeg's default is 75); normal maps get more (their errors turn
// into lighting errors), metallic-roughness and occlusion ("data") as colour.
// Textures of material extensions ("other") are always kept lossless.
const LOSSLESS: TextureQualities = { color: null, normal: null, data: null, other: null }
const WEB: TextureQualities = { color: 85, normal: 90, data: 85, other: null }
const LEAN: TextureQualities = { color: 75, normal: 85, data: 75, other: null }
const FINE: TextureQualities = { color: 92, normal: 95, data: 92, other: null }

/**
 * Passes of every profile. Simplification errors: 1e-4 is glTF-Transform's
 * default (invisible), 1e-2 gltfpack's default (1 % of the radius). Borders are
 * locked only for archviz (outlines of open panels and walls must not move);
 * economy and realtime, which put the triangle budget first, fall back to the
 * sloppy simplifier within 2 % where attribute seams stop the precise one.
 */
export const PROFILE_PASSES: Readonly<Record<Profile, Readonly<ProfilePasses>>> = Object.freeze({
  // Maximum quality: only lossless passes and the finest quantization; no decimation.
  quality: { ratio: 1, error: 1e-4, lockBorder: false, sloppyError: null, maxTextureSize: 4096, quantize: FINE_QUANTIZE, instancing: INSTANCING_MIN, textureQuality: LOSSLESS, meshopt: false, textureFormat: 'core' },
  // Half the triangles within 0.1 % error, 2K textures: the common web delivery target.
  balanced: { ratio: 0.5, error: 1e-3, lockBorder: false, sloppyError: null, maxTextureSize: 2048, quantize: DEFAULT_QUANTIZE, instancing: INSTANCING_MIN, textureQuality: WEB, meshopt: false, textureFormat: 'core' },
  // Minimum cost: a quarter of the triangles within gltfpack's default 1 % error, 1K textures.
  economy: { ratio: 0.25, error: 1e-2, lockBorder: false, sloppyError: SLOPPY_ERROR, maxTextureSize: 1024, quantize: DEFAULT_QUANTIZE, instancing: INSTANCING_MIN, textureQuality: LEAN, meshopt: true, textureFormat: 'webp' },
  // Real-time rendering: frame budget first, like economy, keeping 2K textures for close-ups.
  realtime: { ratio: 0.25, error: 1e-2, lockBorder: false, sloppyError: SLOPPY_ERROR, maxTextureSize: 2048, quantize: DEFAULT_QUANTIZE, instancing: INSTANCING_MIN, textureQuality: LEAN, meshopt: true, textureFormat: 'webp' },
  // Architectural visualisation: straight edges and large flat surfaces must survive; 4K textures.
  archviz: { ratio: 0.75, error: 5e-4, lockBorder: true, sloppyError: null, maxTextureSize: 4096, quantize: FINE_QUANTIZE, instancing: INSTANCING_MIN, textureQuality: FINE, meshopt: false, textureFormat: 'core' },
  // Game assets: half the triangles within 0.5 % error, 2K textures.
  gaming: { ratio: 0.5, error: 5e-3, lockBorder: false, sloppyError: null, maxTextureSize: 2048, quantize: DEFAULT_QUANTIZE, instancing: INSTANCING_MIN, textureQuality: WEB, meshopt: true, textureFormat: 'webp' },
  // Synthetic training data: geometry stays exact (labels and depth depend on it); textures bounded for throughput.
  ai_training: { ratio: 1, error: 1e-4, lockBorder: false, sloppyError: null, maxTextureSize: 2048, quantize: null, instancing: null, textureQuality: FINE, meshopt: false, textureFormat: 'core' }
})
