/**
 * The texture pass: every PNG texture larger than the profile's limit is
 * downscaled with the deterministic area filter and re-encoded; every other
 * PNG is re-encoded and kept only when that makes it smaller. JPEG textures
 * are kept as they are (no JPEG codec ships with the node) and reported.
 */
import type { Document } from '@gltf-transform/core'
import { readImageHeader } from './image-header.ts'
import { decodePng, encodePng } from './png-codec.ts'
import { fitWithin, resizeRgba } from './texture-resize.ts'

/** What the texture pass did. */
export interface TexturePassResult {
  resized: number
  reencoded: number
  /** Textures left unchanged because re-encoding did not make them smaller. */
  unchanged: number
  /** JPEG textures left as they are. */
  skippedJpeg: number
  bytesBefore: number
  bytesAfter: number
}

/** Resizes and re-encodes the textures of `document` in place, in document order. */
export function optimizeTextures (document: Document, maxSize: number): TexturePassResult {
  const result: TexturePassResult = { resized: 0, reencoded: 0, unchanged: 0, skippedJpeg: 0, bytesBefore: 0, bytesAfter: 0 }
  for (const texture of document.getRoot().listTextures()) {
    const image = texture.getImage()
    if (image === null) continue
    result.bytesBefore += image.byteLength
    const header = readImageHeader(image)
    if (header.mimeType !== 'image/png') {
      result.skippedJpeg++
      result.bytesAfter += image.byteLength
      continue
    }
    const [w, h] = fitWithin(header.width, header.height, maxSize)
    const resize = w !== header.width || h !== header.height
    const pixels = decodePng(image)
    const encoded = encodePng(resize ? resizeRgba(pixels, w, h) : pixels)
    if (resize || encoded.byteLength < image.byteLength) {
      texture.setImage(encoded).setMimeType('image/png')
      if (resize) result.resized++
      else result.reencoded++
      result.bytesAfter += encoded.byteLength
    } else {
      result.unchanged++
      result.bytesAfter += image.byteLength
    }
  }
  return result
}
