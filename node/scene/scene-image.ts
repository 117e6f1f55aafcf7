/**
 * The optimizer's binding of the image decoder (`node/image/`): scene images
 * are read and decoded under the optimizer's public codes. The decoder itself
 * is not bounded here: the loader checks every image's declared size against
 * the scene limits (`preflight-scene.ts`) before anything decodes it.
 */
import { decodeImage } from '../image/decode-image.ts'
import { ERR_IMAGE_DECODE, ERR_IMAGE_FORMAT, ERR_IMAGE_TOO_LARGE, ERR_IMAGE_UNSUPPORTED, type ImageErrorCode, withImageCodes } from '../image/errors.ts'
import { type ImageFormat, TEXTURE_IMAGE_FORMATS, readImageHeader } from '../image/image-header.ts'
import { type ImageLimits, UNBOUNDED_IMAGE_LIMITS } from '../image/limits.ts'
import type { RgbaImage } from '../image/rgba-image.ts'
import { ERR_SCENE_IMAGE_INVALID, ERR_SCENE_IMAGE_UNSUPPORTED, ERR_SCENE_MEMORY_LIMIT } from './errors.ts'

/** The optimizer's code for each image decoding code. */
const SCENE_IMAGE_CODES: Readonly<Record<ImageErrorCode, string>> = Object.freeze({
  [ERR_IMAGE_FORMAT]: ERR_SCENE_IMAGE_INVALID,
  [ERR_IMAGE_DECODE]: ERR_SCENE_IMAGE_INVALID,
  [ERR_IMAGE_UNSUPPORTED]: ERR_SCENE_IMAGE_UNSUPPORTED,
  [ERR_IMAGE_TOO_LARGE]: ERR_SCENE_MEMORY_LIMIT
})

/** Format and dimensions of a scene image, as its header declares them. */
export interface ImageHeader {
  mimeType: ImageFormat
  width: number
  height: number
}

/**
 * Format and dimensions a scene image declares, within `limits`:
 * `ERR_SCENE_MEMORY_LIMIT` above them, `ERR_SCENE_IMAGE_INVALID` or
 * `ERR_SCENE_IMAGE_UNSUPPORTED` for what is not a readable PNG, JPEG or WebP.
 */
export function readSceneImageHeader (bytes: Uint8Array, limits: Partial<ImageLimits> = UNBOUNDED_IMAGE_LIMITS): ImageHeader {
  const { mimeType, width, height } = withImageCodes(() => readImageHeader(bytes, { formats: TEXTURE_IMAGE_FORMATS, limits: { ...UNBOUNDED_IMAGE_LIMITS, ...limits } }), SCENE_IMAGE_CODES)
  return { mimeType, width, height }
}

/** Decodes a scene image (PNG, JPEG or WebP, straight alpha) to RGBA8; the same codes as {@link readSceneImageHeader}. */
export function decodeSceneImage (bytes: Uint8Array): { image: RgbaImage, mimeType: ImageFormat } {
  return withImageCodes(() => {
    const header = readImageHeader(bytes, { formats: TEXTURE_IMAGE_FORMATS, limits: UNBOUNDED_IMAGE_LIMITS })
    return { image: decodeImage(bytes, { formats: TEXTURE_IMAGE_FORMATS, limits: UNBOUNDED_IMAGE_LIMITS }), mimeType: header.mimeType }
  }, SCENE_IMAGE_CODES)
}
