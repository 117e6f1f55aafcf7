/**
 * Child process of the out-of-memory test: the host refuses to grow any
 * WebAssembly memory past its present size (what a machine out of memory
 * does: `WebAssembly.Memory.prototype.grow` throws a RangeError), while a
 * 2048² JPEG, a 2048² WebP and a 2048² texture in a scene are decoded; then
 * memory is given again and the same images are decoded. Prints, as JSON,
 * the code of each outcome and whether a measurement would call the job
 * unmeasurable for it. A process of its own, because the refusal is global.
 */
import { Document } from '@gltf-transform/core'
import { decodeImage } from '../../../node/image/decode-image.ts'
import { encodeJpeg } from '../../../node/image/jpeg-encode.ts'
import { encodeWebp } from '../../../node/image/webp-encode.ts'
import { prepareScene } from '../../../node/render/scene-reader.ts'
import { asUnmeasurable } from '../../../node/wiring/measurability.ts'

const side = 2048
const data = new Uint8Array(side * side * 4)
for (let i = 0; i < side * side; i++) { data[i * 4] = i & 0xff; data[i * 4 + 1] = (i >> 11) & 0xff; data[i * 4 + 2] = 90; data[i * 4 + 3] = 255 }
const image = { width: side, height: side, data }
const jpeg = encodeJpeg(image, 50)
const webp = encodeWebp(image, { lossless: false, quality: 80 })

/** A one-triangle scene whose base colour is the JPEG. */
function texturedScene (): Document {
  const doc = new Document()
  const buffer = doc.createBuffer()
  const position = doc.createAccessor().setType('VEC3').setArray(new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0])).setBuffer(buffer)
  const uv = doc.createAccessor().setType('VEC2').setArray(new Float32Array([0, 0, 1, 0, 0, 1])).setBuffer(buffer)
  const texture = doc.createTexture('colour').setImage(jpeg).setMimeType('image/jpeg')
  const material = doc.createMaterial().setBaseColorTexture(texture)
  const prim = doc.createPrimitive().setAttribute('POSITION', position).setAttribute('TEXCOORD_0', uv).setMaterial(material)
  doc.createScene().addChild(doc.createNode().setMesh(doc.createMesh().addPrimitive(prim)))
  return doc
}

type Outcome = { code: string, unmeasurable: boolean }
function outcome (fn: () => unknown): Outcome {
  try {
    fn()
    return { code: 'ok', unmeasurable: false }
  } catch (err) {
    const code = String((err as { code?: unknown }).code)
    return { code, unmeasurable: (asUnmeasurable(err) as { code?: unknown }).code === 'ERR_JOB_UNMEASURABLE' }
  }
}
const formats = ['image/png', 'image/jpeg', 'image/webp'] as const
const all = (): Record<string, Outcome> => ({
  jpeg: outcome(() => decodeImage(jpeg, { formats })),
  webp: outcome(() => decodeImage(webp, { formats })),
  scene: outcome(() => prepareScene(texturedScene(), { maxTexturePixels: 1 << 24 }))
})

const proto = (globalThis as unknown as { WebAssembly: { Memory: { prototype: { grow: (pages: number) => number } } } }).WebAssembly.Memory.prototype
const grow = proto.grow
proto.grow = function refuse (this: { buffer: ArrayBuffer }, pages: number): number {
  if (pages > 0) throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded')
  return grow.call(this, pages)
}
const refused = all()
proto.grow = grow
const given = all()
process.stdout.write(JSON.stringify({ refused, given }) + '\n')
