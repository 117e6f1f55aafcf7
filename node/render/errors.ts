/**
 * Error codes of the deterministic renderer (`node/render/`). Codes are part of
 * the public interface: tests, the CLI and job handling rely on them, so a code
 * is never renamed or reused for another meaning.
 */
import { TrustEngineError, declareCode } from '../../protocol/errors.ts'
import { ERR_IMAGE_DECODE, ERR_IMAGE_FORMAT, ERR_IMAGE_TOO_LARGE, ERR_IMAGE_UNSUPPORTED, type ImageErrorCode } from '../image/errors.ts'

/** Rendering the scene for the requested views would exceed the configured triangle × view or pixel budget. */
export const ERR_RENDER_BUDGET = declareCode('ERR_RENDER_BUDGET', { status: 400 })
/** The scene has no drawable triangle (no scene, no mesh, or only points and lines). */
export const ERR_RENDER_EMPTY_SCENE = declareCode('ERR_RENDER_EMPTY_SCENE', { status: 400 })
/** The scene's bounds are not finite (every position NaN or infinite, or coordinates overflow). */
export const ERR_RENDER_BAD_BOUNDS = declareCode('ERR_RENDER_BAD_BOUNDS', { status: 400 })
/** A texture image is in a format the renderer does not decode (e.g. KTX2, WebP) or is corrupt. */
export const ERR_RENDER_TEXTURE = declareCode('ERR_RENDER_TEXTURE', { status: 400 })
/** Every texture decoding failure is `ERR_RENDER_TEXTURE`: unknown or undecoded format, corrupt, above `maxTexturePixels`. */
export const RENDER_IMAGE_CODES: Readonly<Record<ImageErrorCode, string>> = Object.freeze({
  [ERR_IMAGE_FORMAT]: ERR_RENDER_TEXTURE,
  [ERR_IMAGE_UNSUPPORTED]: ERR_RENDER_TEXTURE,
  [ERR_IMAGE_TOO_LARGE]: ERR_RENDER_TEXTURE,
  [ERR_IMAGE_DECODE]: ERR_RENDER_TEXTURE
})
/** Malformed EXT_meshopt_compression data (bad view description or a stream the decoder refuses; node/render/meshopt-unpack.ts). */
export const ERR_RENDER_MESHOPT = declareCode('ERR_RENDER_MESHOPT', { status: 400 })
/** Render options (size, camera, window) are invalid. */
export const ERR_RENDER_OPTIONS = declareCode('ERR_RENDER_OPTIONS', { status: 400 })
/** The scene uses a feature the renderer refuses (e.g. an accessor layout it cannot read). */
export const ERR_RENDER_UNSUPPORTED = declareCode('ERR_RENDER_UNSUPPORTED', { status: 400 })

/** Builds a renderer error with the given code (action `reject`: the input itself is at fault). */
export function renderError (code: string, message: string, details?: Record<string, unknown>): TrustEngineError {
  return new TrustEngineError(code, message, details === undefined ? {} : { details })
}
