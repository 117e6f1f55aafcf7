/**
 * Stand-in for `ndarray-pixels` inside glTF-Transform's functions package
 * (see skip-native-pixels.ts). Its Node build loads sharp, a native image
 * library, at import time; the optimizer never calls it (prune runs with
 * `keepSolidTextures`, textures go through the node's own codecs), so these
 * functions are unreachable and fail loudly if that ever changes.
 */

/** Never called by the optimizer: glTF-Transform's pixel decoding through sharp. */
export function getPixels (): never {
  throw new Error('ndarray-pixels getPixels is not available in the optimizer (textures use node/image)')
}

/** Never called by the optimizer: glTF-Transform's pixel encoding through sharp. */
export function savePixels (): never {
  throw new Error('ndarray-pixels savePixels is not available in the optimizer (textures use node/image)')
}
