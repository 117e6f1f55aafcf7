/**
 * writeGlb writes the bytes of glTF-Transform's writeBinary (one allocation
 * instead of its concatenations): scenes with and without a binary buffer,
 * with JSON and binary data of every length modulo 4, and with textures.
 */
import { Document } from '@gltf-transform/core'
import { describe, expect, it } from 'vitest'
import { createSceneIO } from '../../../node/scene/load-scene.ts'
import { writeGlb } from '../../../node/scene/write-glb.ts'
import { buildScene } from '../../../sim/scenes.ts'

describe('writeGlb', () => {
  it('writes the bytes of writeBinary', async () => {
    const io = createSceneIO()
    const docs: Document[] = [
      buildScene({ grids: [3, 5], texture: [16, 16], copies: 2 }),
      buildScene({ grids: [1] })
    ]
    // No buffer data at all (no BIN chunk), and names of 1 to 4 characters so the JSON's length takes every value modulo 4.
    for (let k = 1; k <= 4; k++) {
      const empty = new Document()
      empty.createScene('x'.repeat(k)).addChild(empty.createNode('n'))
      docs.push(empty)
    }
    // Binary data of 1 to 4 bytes (an image buffer view is not padded), so the BIN chunk's padding takes every value.
    for (let k = 1; k <= 4; k++) {
      const doc = buildScene({ grids: [1] })
      doc.createTexture('t').setImage(new Uint8Array(k).fill(7)).setMimeType('image/png')
      docs.push(doc)
    }
    for (const doc of docs) expect(Buffer.from(await writeGlb(io, doc)).equals(Buffer.from(await io.writeBinary(doc)))).toBe(true)
  })
})
