/**
 * Image metrics throughput, each beside an independent baseline on the same
 * input in the same run:
 * - SSIM (node/measure, separable Gaussian on float64 luma) against ssim.js
 *   with its port of the reference MATLAB code (`ssim: 'original'`, no
 *   downsampling: the same definition), in megapixels per second, on a
 *   512×512 pair (a synthetic scene and a noisy, block-quantized copy);
 * - PNG decoding through the bounded decoder (header and exact inflate-size
 *   checks, then the node's own unfiltering to RGBA8) against bare pngjs on
 *   the same file;
 * - PSNR (exact integer MSE) against SSIM on the same pair, for scale.
 */
import { ssim as ssimJs } from 'ssim.js'
import { PNG } from 'pngjs'
import type { RgbaImage } from '../../node/measure/image.ts'
import { decodePng } from '../../node/measure/png.ts'
import { psnr } from '../../node/measure/psnr.ts'
import { ssim } from '../../node/measure/ssim.ts'
import { deriveSeed, SeededPrng } from '../../protocol/sampling/prng.ts'
import { measureRate, result, type BenchResult, type BenchSuite } from './types.ts'

const SIZE = 512

/** Gradients, a disc and stripes: content with edges and smooth areas. */
function sceneImage (size: number): RgbaImage {
  const data = new Uint8Array(size * size * 4)
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const p = (y * size + x) * 4
      const disc = (x - size / 2) ** 2 + (y - size / 2) ** 2 < (size / 4) ** 2
      data[p] = (x * 255 / size + (disc ? 60 : 0)) & 255
      data[p + 1] = (y * 255) / size
      data[p + 2] = disc ? 220 : ((x >> 3) & 1) * 40 + 100
      data[p + 3] = 255
    }
  }
  return { width: size, height: size, data }
}

/** Seeded noise of ±12 and quantization to steps of 8: a visibly degraded candidate. */
function degrade (img: RgbaImage): RgbaImage {
  const prng = new SeededPrng(deriveSeed('bench-ssim'))
  const data = new Uint8Array(img.data)
  for (let p = 0; p < data.length; p += 4) {
    for (let c = 0; c < 3; c++) data[p + c] = Math.min(255, Math.max(0, Math.round((data[p + c]! + prng.nextInt(25) - 12) / 8) * 8))
  }
  return { width: img.width, height: img.height, data }
}

function encode (img: RgbaImage): Buffer {
  const png = new PNG({ width: img.width, height: img.height })
  png.data = Buffer.from(img.data)
  return PNG.sync.write(png, { colorType: 2, inputHasAlpha: true })
}

/** The SSIM, decoding and PSNR figures. */
export const ssimSuite: BenchSuite = {
  name: 'ssim',
  run: async (): Promise<BenchResult[]> => {
    const a = sceneImage(SIZE)
    const b = degrade(a)
    const mpx = (SIZE * SIZE) / 1e6
    const jsA = { width: SIZE, height: SIZE, data: new Uint8ClampedArray(a.data) }
    const jsB = { width: SIZE, height: SIZE, data: new Uint8ClampedArray(b.data) }
    const jsOptions = { ssim: 'original' as const, downsample: false as const }
    // Same definition, so the values agree closely (ssim.js rounds its luma to integers).
    const ours = ssim(a, b)
    const theirs = ssimJs(jsA, jsB, jsOptions).mssim
    if (Math.abs(ours - theirs) > 5e-3) throw new Error(`SSIM disagrees with ssim.js: ${ours} vs ${theirs}`)

    const oursRate = await measureRate(4 * mpx, () => { for (let i = 0; i < 4; i++) ssim(a, b) })
    const theirsRate = await measureRate(mpx, () => ssimJs(jsA, jsB, jsOptions), 3)

    const png = encode(b)
    const decodeRate = await measureRate(4 * mpx, () => { for (let i = 0; i < 4; i++) decodePng(png) })
    const pngjsRate = await measureRate(4 * mpx, () => { for (let i = 0; i < 4; i++) PNG.sync.read(png) })

    const psnrRate = await measureRate(20 * mpx, () => { for (let i = 0; i < 20; i++) psnr(a, b) })

    return [
      result(`SSIM ${SIZE}×${SIZE} (ours, Gaussian, valid windows)`, oursRate, 'Mpx/s', "ssim.js 'original', no downsampling", theirsRate),
      result(`PNG decode ${SIZE}×${SIZE} RGB (bounded, to RGBA8)`, decodeRate, 'Mpx/s', 'bare pngjs PNG.sync.read', pngjsRate),
      result(`PSNR ${SIZE}×${SIZE} (exact integer MSE)`, psnrRate, 'Mpx/s', 'our SSIM on the same pair', oursRate)
    ]
  }
}
