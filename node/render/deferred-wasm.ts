/**
 * The deferred resolve of a PBR render in WebAssembly (`resolve` in
 * kernel/pbr-shade.as.ts): `resolveToRgba8` (deferred.ts) for a
 * framebuffer without colour planes whose deferred buffers live in the
 * kernel's memory, with the same numbers in the same order. The kernel asks
 * JavaScript for each triangle it meets (deferred.ts's selector: restored
 * from the set-up cache or set up) and reads it from the shader's block.
 */
import { biasTable, type DeferredItem, selector, toneMappedBackground } from './deferred.ts'
import type { Framebuffer, RgbaPixels } from './framebuffer.ts'
import type { KernelFramebufferStorage } from './pbr-kernel.ts'
import { pbrKernel } from './pbr-kernel.ts'
import type { WasmPbrShader } from './shading-wasm.ts'

/** Resolves and encodes `fb` (made with `storage`, every deferred item's shader a WasmPbrShader) as resolveToRgba8 does. */
export function resolveToRgba8Wasm (fb: Framebuffer, storage: KernelFramebufferStorage, ss: number, items: DeferredItem[]): RgbaPixels {
  const k = pbrKernel()
  const W = fb.width
  const ow = Math.floor(fb.width / ss); const oh = Math.floor(fb.height / ss)
  const bias = biasTable(ss)
  const out = k.outputAt(ow * oh * 4)
  const f = k.f64
  f.set(bias, k.biasAt / 8); f.set(toneMappedBackground(fb), k.bgAt / 8)
  const select = selector(items)
  k.selectTriangle = (it: number, t: number): number => (select(it, t) as WasmPbrShader).sync()
  try {
    // row by row: see `resolve` in kernel/pbr-resolve.as.ts
    for (let y = 0; y < oh; y++) k.exports.resolve(y, y + 1, W, ow, ss, storage.itemAt, storage.triAt, storage.baryAt, storage.depthAt, k.biasAt, k.bgAt, k.scratchAt, out)
  } finally {
    k.selectTriangle = () => { throw new Error('no resolve in progress') }
  }
  return { width: ow, height: oh, data: k.bytes(out, ow * oh * 4) }
}
