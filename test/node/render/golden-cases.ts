/**
 * The golden render cases: generated scenes, fixed cameras, fixed sizes. Used
 * by the golden test and by the child process of the cross-process test.
 */
import { createHash } from 'node:crypto'
import type { Camera } from '../../../node/render/camera.ts'
import { loadRenderScene } from '../../../node/render/load.ts'
import { renderScene, type RenderResult } from '../../../node/render/render.ts'
import { prepareScene, type PreparedScene } from '../../../node/render/scene-reader.ts'
import { pbrScene } from './pbr-scenes.ts'
import * as S from './scenes.ts'

/** One golden case. */
export interface GoldenCase {
  name: string
  scene: PreparedScene
  camera: Camera
  width: number
  height: number
}

const LIMITS = { maxTexturePixels: 1 << 24 }

/** A camera at `eye` looking at the origin, y up, focal 2. */
export function cameraAt (eye: [number, number, number]): Camera {
  return { eye, target: [0, 0, 0], up: [0, 1, 0], focal: 2, near: 0.01 }
}

/** Builds every golden case (the meshopt case runs gltfpack -cc). */
export async function goldenCases (): Promise<GoldenCase[]> {
  const sphereGlb = await S.toGlb(S.sphereScene(24, 32, { bumpy: true }))
  return [
    { name: 'cube', scene: prepareScene(S.cubeScene(), LIMITS), camera: cameraAt([0, 0, 3.2]), width: 96, height: 96 },
    { name: 'textured-quad', scene: prepareScene(S.texturedQuadScene(), LIMITS), camera: cameraAt([0.3, -0.2, 3]), width: 96, height: 96 },
    { name: 'mask-quad', scene: prepareScene(S.maskQuadScene(), LIMITS), camera: cameraAt([0, 0, 3]), width: 96, height: 96 },
    { name: 'hierarchy', scene: prepareScene(S.hierarchyScene(), LIMITS), camera: cameraAt([1, 1.5, 4]), width: 96, height: 96 },
    { name: 'quantized', scene: await loadRenderScene(await S.toGlb(await S.quantizedCubeScene()), LIMITS), camera: cameraAt([0, 0, 3.2]), width: 96, height: 96 },
    { name: 'meshopt', scene: await loadRenderScene(await S.gltfpack(sphereGlb, ['-cc']), LIMITS), camera: cameraAt([1, 1, 3]), width: 96, height: 96 },
    { name: 'instanced', scene: await loadRenderScene(await S.toGlb(S.instancedScene()), LIMITS), camera: cameraAt([0, 0, 5]), width: 96, height: 96 },
    // normal, metallic-roughness, occlusion, emissive (with strength) maps and the key lights; tangents from the file
    { name: 'pbr-showcase', scene: await loadRenderScene(await S.toGlb(pbrScene({ rings: 16 })), LIMITS), camera: cameraAt([0.6, 0.4, 3]), width: 96, height: 96 },
    // the same without TANGENT: MikkTSpace tangents generated while preparing
    { name: 'pbr-mikktspace', scene: await loadRenderScene(await S.toGlb(pbrScene({ rings: 16, tangents: false })), LIMITS), camera: cameraAt([0.6, 0.4, 3]), width: 96, height: 96 },
    // the scene's own point, spot and directional lights replace the key lights
    {
      name: 'pbr-lights',
      scene: await loadRenderScene(await S.toGlb(pbrScene({
        rings: 16,
        lights: [
          { type: 'point', position: [1.5, 1.5, 2], color: [1, 0.9, 0.8], intensity: 12, range: 10 },
          { type: 'spot', position: [-1.5, 0.5, 2.5], rotation: [0, -0.3826834323650898, 0, 0.9238795325112867], color: [0.6, 0.8, 1], intensity: 20 },
          { type: 'directional', position: [0, 0, 0], rotation: [-0.3826834323650898, 0, 0, 0.9238795325112867], color: [1, 1, 1], intensity: 0.8 }
        ]
      })), LIMITS),
      camera: cameraAt([0, 0.2, 3.2]),
      width: 96,
      height: 96
    },
    // clearcoat (with texture and roughness), specular colour, IOR and transmission
    { name: 'pbr-layered', scene: await loadRenderScene(await S.toGlb(pbrScene({ rings: 16, layered: true })), LIMITS), camera: cameraAt([0.3, 0.3, 3]), width: 96, height: 96 }
  ]
}

/** Renders a case. */
export function renderCase (c: GoldenCase): RenderResult {
  return renderScene(c.scene, c.camera, { width: c.width, height: c.height })
}

/** Lowercase hex sha256 of an image's RGBA bytes. */
export function pixelHash (data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}
