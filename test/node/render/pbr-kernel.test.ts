/**
 * The WebAssembly shade and resolve (node/render/pbr-kernel.ts) against the
 * JavaScript they were transcribed from (`kernel: 'js'`, the reference):
 * every byte of every render the same, on the PBR scenes with every map and
 * layer, MikkTSpace tangents, scene lights, no maps, wrap modes, masked and
 * blended (forward-shaded) materials, from several cameras, at 1 to 3 samples
 * per pixel, in windows and at animation times; and the committed module is
 * what its sources compile to.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Camera } from '../../../node/render/camera.ts'
import { renderScene, type RenderOptions } from '../../../node/render/render.ts'
import { prepareScene, type PreparedScene } from '../../../node/render/scene-reader.ts'
import { buildPbrKernel, PBR_KERNEL_WASM } from '../../../scripts/build-pbr-kernel.ts'
import { cameraAt, pixelHash } from './golden-cases.ts'
import { pbrScene } from './pbr-scenes.ts'
import * as S from './scenes.ts'
import { pbrScene as verificationScene } from './verification-scenes.ts'

const LIMITS = { maxTexturePixels: 1 << 24 }
const CAMERAS: Camera[] = [cameraAt([0.6, 0.4, 3]), cameraAt([-1.2, -0.5, 1.6]), { eye: [0.3, 0.2, 2.2], target: [0.1, 0, 0], up: [0, 1, 0], focal: 2, near: 0.01 }]

let scenes: Array<{ name: string, scene: PreparedScene }> = []
beforeAll(() => {
  scenes = [
    { name: 'showcase', scene: prepareScene(pbrScene({ rings: 24 }), LIMITS) },
    { name: 'mikktspace', scene: prepareScene(pbrScene({ rings: 16, tangents: false }), LIMITS) },
    { name: 'layered (blended)', scene: prepareScene(pbrScene({ rings: 16, layered: true }), LIMITS) },
    { name: 'no maps', scene: prepareScene(pbrScene({ rings: 16, normalMap: false, metallicRoughnessMap: false, occlusionMap: false, emissiveMap: false }), LIMITS) },
    {
      name: 'scene lights',
      scene: prepareScene(pbrScene({
        rings: 16,
        lights: [
          { type: 'point', position: [1.5, 1.5, 2], color: [1, 0.9, 0.8], intensity: 12, range: 10 },
          { type: 'spot', position: [-1.5, 0.5, 2.5], rotation: [0, -0.3826834323650898, 0, 0.9238795325112867], color: [0.6, 0.8, 1], intensity: 20 },
          { type: 'directional', position: [0, 0, 0], rotation: [-0.3826834323650898, 0, 0, 0.9238795325112867], color: [1, 1, 1], intensity: 0.8 }
        ]
      }), LIMITS)
    },
    { name: 'verification', scene: prepareScene(verificationScene(), LIMITS) },
    { name: 'mirrored wrap', scene: prepareScene(S.texturedQuadScene(33648), LIMITS) },
    { name: 'mask', scene: prepareScene(S.maskQuadScene(), LIMITS) },
    { name: 'spinning', scene: prepareScene(S.spinningCubeScene(), LIMITS) }
  ]
})

/** The pixel hashes of a render with each kernel. */
function both (scene: PreparedScene, camera: Camera, options: RenderOptions): { wasm: string, js: string } {
  return {
    wasm: pixelHash(renderScene(scene, camera, { ...options, kernel: 'wasm' }).image.data),
    js: pixelHash(renderScene(scene, camera, { ...options, kernel: 'js' }).image.data)
  }
}

describe('the WebAssembly PBR kernel', () => {
  it('renders every scene from every camera at 1 to 3 samples to the bytes the JavaScript does', () => {
    for (const { name, scene } of scenes) {
      for (const [c, camera] of CAMERAS.entries()) {
        for (const supersample of [1, 2, 3]) {
          const r = both(scene, camera, { width: 80, height: 64, supersample, time: 0.3 })
          expect(r.wasm, `${name}, camera ${c}, ${supersample}×${supersample}`).toBe(r.js)
        }
      }
    }
  })

  it('renders windows, a larger view and one too large for its memory (resolved in JavaScript) to the same bytes', () => {
    const { scene } = scenes[0]!
    const camera = CAMERAS[2]!
    const win = both(scene, camera, { width: 256, height: 192, window: { x: 37, y: 21, width: 101, height: 77 } })
    expect(win.wasm).toBe(win.js)
    const large = both(scene, camera, { width: 384, height: 384 })
    expect(large.wasm).toBe(large.js)
    const huge = both(scene, camera, { width: 1100, height: 1000, window: { x: 0, y: 0, width: 1100, height: 960 }, supersample: 2 }) // above 2^22 samples
    expect(huge.wasm).toBe(huge.js)
  })

  it('gives the same bytes after its memory was emptied and refilled (a render past the arena cap)', () => {
    const { scene } = scenes[0]!
    const camera = CAMERAS[0]!
    const before = pixelHash(renderScene(scene, camera, { width: 96, height: 96 }).image.data)
    renderScene(scene, camera, { width: 1024, height: 1024 }) // 4M samples (192 MiB of deferred buffers): the arena passes its 64 MiB cap
    renderScene(scene, camera, { width: 64, height: 64 }) // the next render empties it
    expect(pixelHash(renderScene(scene, camera, { width: 96, height: 96 }).image.data)).toBe(before)
  })

  it('is the module its AssemblyScript sources compile to', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pbr-kernel-'))
    try {
      const out = join(dir, 'pbr-kernel.wasm')
      await buildPbrKernel(out)
      expect(readFileSync(out).equals(readFileSync(PBR_KERNEL_WASM))).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
