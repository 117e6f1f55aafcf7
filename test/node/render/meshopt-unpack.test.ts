/**
 * EXT_meshopt_compression unpacking: real gltfpack output decodes to the same
 * geometry as gltfpack without compression; malformed descriptions and
 * oversize declarations are refused with typed codes before decoding.
 */
import { describe, expect, it } from 'vitest'
import { ERR_RENDER_UNSUPPORTED } from '../../../node/render/errors.ts'
import { ERR_RENDER_MESHOPT, unpackMeshopt, usesMeshopt } from '../../../node/render/meshopt-unpack.ts'
import { loadRenderScene } from '../../../node/render/load.ts'
import { renderScene } from '../../../node/render/render.ts'
import { cameraAt } from './golden-cases.ts'
import { gltfpack, sphereScene, toGlb } from './scenes.ts'

const LIMITS = { maxFileBytes: 1 << 26, maxAccessorBytes: 1 << 28 }

/** Rewrites the JSON chunk of a GLB with `edit` (keeps the BIN chunk). */
function editGlbJson (glb: Uint8Array, edit: (json: Record<string, any>) => void): Uint8Array {
  const dv = new DataView(glb.buffer, glb.byteOffset, glb.byteLength)
  const jsonLen = dv.getUint32(12, true)
  const json = JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + jsonLen)))
  edit(json)
  const text = new TextEncoder().encode(JSON.stringify(json))
  const padded = text.byteLength + ((4 - (text.byteLength % 4)) % 4)
  const rest = glb.subarray(20 + jsonLen)
  const out = new Uint8Array(20 + padded + rest.byteLength)
  out.set(glb.subarray(0, 12)); out.set(text, 20); out.fill(0x20, 20 + text.byteLength, 20 + padded); out.set(rest, 20 + padded)
  const o = new DataView(out.buffer)
  o.setUint32(8, out.byteLength, true); o.setUint32(12, padded, true); o.setUint32(16, 0x4e4f534a, true)
  return out
}

describe('unpackMeshopt', () => {
  it('decodes gltfpack -c output to the same pixels as gltfpack without compression', async () => {
    const glb = await toGlb(sphereScene(24, 32))
    const compressed = await gltfpack(glb, ['-c'])
    const plain = await gltfpack(glb, [])
    expect(usesMeshopt(compressed)).toBe(true)
    expect(usesMeshopt(plain)).toBe(false)
    const unpacked = await unpackMeshopt(compressed, LIMITS)
    expect(usesMeshopt(unpacked)).toBe(false)
    const a = renderScene(await loadRenderScene(compressed, { maxTexturePixels: 1 }), cameraAt([1, 1, 3]), { width: 64, height: 64 })
    const b = renderScene(await loadRenderScene(plain, { maxTexturePixels: 1 }), cameraAt([1, 1, 3]), { width: 64, height: 64 })
    expect(a.image.data).toEqual(b.image.data)
  })

  it('returns files without the extension unchanged', async () => {
    const glb = await toGlb(sphereScene(4, 6))
    expect(await unpackMeshopt(glb, LIMITS)).toBe(glb)
  })

  it('refuses malformed descriptions (ERR_RENDER_MESHOPT) and oversize declarations (ERR_RENDER_UNSUPPORTED) before decoding', async () => {
    const compressed = await gltfpack(await toGlb(sphereScene(8, 8)), ['-cc'])
    const firstCompressed = (json: Record<string, any>): Record<string, any> =>
      json.bufferViews.find((v: Record<string, any>) => v.extensions?.EXT_meshopt_compression !== undefined).extensions.EXT_meshopt_compression
    const badMode = editGlbJson(compressed, (j) => { firstCompressed(j).mode = 'PIXELS' })
    await expect(unpackMeshopt(badMode, LIMITS)).rejects.toMatchObject({ code: ERR_RENDER_MESHOPT })
    const outside = editGlbJson(compressed, (j) => { firstCompressed(j).byteOffset = 1 << 30 })
    await expect(unpackMeshopt(outside, LIMITS)).rejects.toMatchObject({ code: ERR_RENDER_MESHOPT })
    const huge = editGlbJson(compressed, (j) => { firstCompressed(j).count = 2 ** 40 })
    await expect(unpackMeshopt(huge, LIMITS)).rejects.toMatchObject({ code: ERR_RENDER_UNSUPPORTED })
    const corrupt = editGlbJson(compressed, (j) => { const e = firstCompressed(j); e.count = e.count + 7 })
    await expect(unpackMeshopt(corrupt, LIMITS)).rejects.toMatchObject({ code: ERR_RENDER_MESHOPT })
    await expect(unpackMeshopt(compressed, { ...LIMITS, maxFileBytes: 100 })).rejects.toMatchObject({ code: ERR_RENDER_UNSUPPORTED })
  })
})
