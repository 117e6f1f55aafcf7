/**
 * The lighting of physically based renders (shading.ts): the fixed
 * environment and the key lights used when a scene has no lights of its own.
 */
import { type QuadraticEnvironment, STUDIO_ENVIRONMENT } from './environment.ts'
import type { KeyLight } from './lights.ts'

/** Lighting of physically based renders. */
export interface PbrLightingOptions {
  /** The image-based environment (camera space). */
  environment: QuadraticEnvironment
  /** Scale of the environment's radiance. */
  environmentIntensity: number
  /** Directional key lights fixed in camera space, used when the scene has no lights of its own (or `sceneLights` is false). */
  keyLights: KeyLight[]
  /** Use the scene's KHR_lights_punctual lights (they replace the key lights). */
  sceneLights: boolean
}

/**
 * Default lighting: the studio environment plus a key light from above right
 * in front (irradiance 2.2) and a weaker cool fill from the left (0.6): a white
 * rough surface facing the key reaches about 0.9 after tone mapping, shadows
 * keep about a fifth of that, and the key's highlight shows roughness and
 * normal detail on every surface facing the camera.
 */
export const DEFAULT_PBR_LIGHTING: PbrLightingOptions = Object.freeze({
  environment: STUDIO_ENVIRONMENT,
  environmentIntensity: 1,
  keyLights: [
    { direction: [0.4, 0.6, 0.7], color: [2.2, 2.2, 2.2] },
    { direction: [-0.7, 0.1, 0.4], color: [0.55, 0.58, 0.65] }
  ],
  sceneLights: true
}) as PbrLightingOptions
