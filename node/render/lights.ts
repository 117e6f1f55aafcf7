/**
 * Lights of a render: the default key lights (fixed in camera space, like
 * the environment) or the scene's own KHR_lights_punctual lights, posed at
 * the view's time and moved to camera space.
 *
 * The file's lights replace the key lights (as glTF viewers do when a file
 * brings its own lighting); the environment always stays. At most
 * {@link MAX_SCENE_LIGHTS} scene lights are used, the first ones in traversal
 * order; the others are dropped and the scene reports it (`appearanceIgnored`
 * gets "KHR_lights_punctual:over-cap"), so a file with thousands of lights
 * costs at most that many lights per pixel.
 */
import { detCos } from './det-math.ts'
import type { Mat4 } from './mat4.ts'

/** Most scene lights evaluated per pixel: 8, the usual forward-renderer budget; beyond it the cost per pixel would grow without bound. */
export const MAX_SCENE_LIGHTS = 8

/** Light types. */
export const LIGHT_DIRECTIONAL = 0
/** Point light (candela, inverse-square falloff with the KHR range window). */
export const LIGHT_POINT = 1
/** Spot light: a point light with the KHR cone attenuation. */
export const LIGHT_SPOT = 2

/** A KHR_lights_punctual light as read from the file (node-local frame: shines along −z). */
export interface PreparedLight {
  type: number
  /** Linear colour × intensity. */
  radiance: [number, number, number]
  /** Range (Infinity when absent). */
  range: number
  /** Spot cone: scale and offset of the KHR angular attenuation (1/(cos inner − cos outer), −cos outer × scale). */
  coneScale: number
  coneOffset: number
}

/** A directional light fixed in camera space (a key light). */
export interface KeyLight {
  /** Direction towards the light in camera space (normalized internally). */
  direction: [number, number, number]
  /** Linear RGB irradiance at normal incidence. */
  color: [number, number, number]
}

/** A light in camera space, ready for shading. */
export interface CameraLight {
  type: number
  /** Directional: unit vector towards the light. Point and spot: position. */
  x: number
  y: number
  z: number
  /** Spot: unit direction the light shines along. */
  dx: number
  dy: number
  dz: number
  r: number
  g: number
  b: number
  range: number
  coneScale: number
  coneOffset: number
}

/** Reads a KHR_lights_punctual light's properties; null for a light with no effect or non-finite values. */
export function prepareLight (type: string, color: number[], intensity: number, range: number | null, inner: number, outer: number): PreparedLight | null {
  const t = type === 'directional' ? LIGHT_DIRECTIONAL : type === 'spot' ? LIGHT_SPOT : type === 'point' ? LIGHT_POINT : -1
  const rad: [number, number, number] = [color[0]! * intensity, color[1]! * intensity, color[2]! * intensity]
  if (t < 0 || !rad.every(Number.isFinite)) return null
  let coneScale = 0; let coneOffset = 1
  if (t === LIGHT_SPOT) {
    const ci = detCos(inner); const co = detCos(outer)
    if (!Number.isFinite(ci) || !Number.isFinite(co)) return null
    coneScale = 1 / Math.max(0.001, ci - co)
    coneOffset = -co * coneScale
  }
  const r = range === null || !(range > 0) ? Infinity : range
  return { type: t, radiance: rad, range: r, coneScale, coneOffset }
}

/** The key lights as camera-space lights. */
export function keyLightsToCamera (keys: readonly KeyLight[]): CameraLight[] {
  return keys.map((k) => {
    const [x, y, z] = k.direction
    const l = Math.sqrt(x * x + y * y + z * z)
    return { type: LIGHT_DIRECTIONAL, x: x / l, y: y / l, z: z / l, dx: 0, dy: 0, dz: 0, r: k.color[0], g: k.color[1], b: k.color[2], range: Infinity, coneScale: 0, coneOffset: 1 }
  })
}

/** Moves a scene light with model → camera matrix `mv` (column-major) to camera space; null when degenerate. */
export function lightToCamera (light: PreparedLight, mv: Mat4): CameraLight | null {
  // the light shines along the node's −z axis; directions take the upper 3×3 (then normalized)
  let dx = -mv[8]!; let dy = -mv[9]!; let dz = -mv[10]!
  const dl = Math.sqrt(dx * dx + dy * dy + dz * dz)
  if (!(dl > 0) || !Number.isFinite(dl)) return null
  dx /= dl; dy /= dl; dz /= dl
  const [r, g, b] = light.radiance
  if (light.type === LIGHT_DIRECTIONAL) {
    return { type: LIGHT_DIRECTIONAL, x: -dx, y: -dy, z: -dz, dx, dy, dz, r, g, b, range: Infinity, coneScale: 0, coneOffset: 1 }
  }
  const x = mv[12]!; const y = mv[13]!; const z = mv[14]!
  if (!Number.isFinite(x + y + z)) return null
  return { type: light.type, x, y, z, dx, dy, dz, r, g, b, range: light.range, coneScale: light.coneScale, coneOffset: light.coneOffset }
}
