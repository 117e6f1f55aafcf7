/**
 * What each optimization profile does to a scene: simplification target and
 * error bound, vertex quantization, texture size limit, GPU instancing. The
 * route (baking, 3dgs, hybrid) adds hierarchy passes on top: static scenes
 * routed to baking are flattened and joined to cut draw calls; hybrid scenes
 * are joined level by level; 3dgs scenes keep their hierarchy, which their
 * animation drives.
 */
import type { Profile } from './analysis-rules.ts'

/** Vertex attribute quantization bits (KHR_mesh_quantization). */
export interface QuantizeBits { position: number, normal: number, texcoord: number }

/** The passes of one profile. */
export interface ProfilePasses {
  /** Target share of triangles kept by simplification; 1 disables it. */
  ratio: number
  /** Simplification error bound, as a fraction of the mesh radius (meshoptimizer's metric). */
  error: number
  /** Largest texture width or height after resizing. */
  maxTextureSize: number
  /** Quantization bits, or null to keep float attributes. */
  quantize: QuantizeBits | null
  /** Minimum number of nodes sharing a mesh for GPU instancing, or null to disable it. */
  instancing: number | null
}

// Quantization bits below are glTF-Transform's defaults (position 14, normal 10,
// texcoord 12), sub-millimetre on a 10 m object; "fine" widens them to 16/12/14
// for scenes where geometry is judged up close.
const DEFAULT_QUANTIZE: QuantizeBits = { position: 14, normal: 10, texcoord: 12 }
const FINE_QUANTIZE: QuantizeBits = { position: 16, normal: 12, texcoord: 14 }
// 5 copies: glTF-Transform's default threshold for instancing, below which the
// extension's overhead outweighs the draw calls it saves.
const INSTANCING_MIN = 5

/** Passes of every profile. Simplification errors: 1e-4 is glTF-Transform's default (invisible), 1e-2 gltfpack's default (1 % of the radius). */
export const PROFILE_PASSES: Readonly<Record<Profile, Readonly<ProfilePasses>>> = Object.freeze({
  // Maximum quality: only lossless passes and the finest quantization; no decimation.
  quality: { ratio: 1, error: 1e-4, maxTextureSize: 4096, quantize: FINE_QUANTIZE, instancing: INSTANCING_MIN },
  // Half the triangles within 0.1 % error, 2K textures: the common web delivery target.
  balanced: { ratio: 0.5, error: 1e-3, maxTextureSize: 2048, quantize: DEFAULT_QUANTIZE, instancing: INSTANCING_MIN },
  // Minimum cost: a quarter of the triangles within gltfpack's default 1 % error, 1K textures.
  economy: { ratio: 0.25, error: 1e-2, maxTextureSize: 1024, quantize: DEFAULT_QUANTIZE, instancing: INSTANCING_MIN },
  // Real-time rendering: frame budget first, like economy, keeping 2K textures for close-ups.
  realtime: { ratio: 0.25, error: 1e-2, maxTextureSize: 2048, quantize: DEFAULT_QUANTIZE, instancing: INSTANCING_MIN },
  // Architectural visualisation: straight edges and large flat surfaces must survive; 4K textures.
  archviz: { ratio: 0.75, error: 5e-4, maxTextureSize: 4096, quantize: FINE_QUANTIZE, instancing: INSTANCING_MIN },
  // Game assets: half the triangles within 0.5 % error, 2K textures.
  gaming: { ratio: 0.5, error: 5e-3, maxTextureSize: 2048, quantize: DEFAULT_QUANTIZE, instancing: INSTANCING_MIN },
  // Synthetic training data: geometry stays exact (labels and depth depend on it); textures bounded for throughput.
  ai_training: { ratio: 1, error: 1e-4, maxTextureSize: 2048, quantize: null, instancing: null }
})
