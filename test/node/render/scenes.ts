/**
 * Generated test scenes for the renderer (built with glTF-Transform in the
 * test process; geometry from exact arithmetic and the renderer's own
 * deterministic sine/cosine, so the files are identical on every machine).
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { Document } from '@gltf-transform/core'
import { EXTMeshGPUInstancing } from '@gltf-transform/extensions'
import { quantize } from '@gltf-transform/functions'
import { detCos, detSin } from '../../../node/render/det-math.ts'
import { addPrimitive, cubeArrays, makePng, newDocument, toGlb } from './fixtures.ts'

/** A red unit cube, rotated so three faces show from +z. */
export function cubeScene (opts: { doubleSided?: boolean, rotate?: boolean } = {}): Document {
  const { doc, add } = newDocument()
  const mat = doc.createMaterial('red').setBaseColorFactor([0.8, 0.2, 0.1, 1]).setDoubleSided(opts.doubleSided ?? false)
  const mesh = doc.createMesh('cube').addPrimitive(addPrimitive(doc, { ...cubeArrays(), material: mat }))
  const node = doc.createNode('cube').setMesh(mesh)
  // a unit quaternion written as a literal (0.2² + 0.3² + w² = 1), so the file holds the same bits everywhere
  if (opts.rotate ?? true) node.setRotation([0.2, 0.3, 0, 0.9327379053088815])
  add(node)
  return doc
}

/** A quad (2×2 in the xy plane) with an 8×8 checker texture repeated twice in each direction. */
export function texturedQuadScene (wrap: 10497 | 33071 | 33648 = 10497): Document {
  const { doc, add } = newDocument()
  const png = makePng(8, 8, (x, y) => ((x + y) % 2 === 0 ? [240, 240, 240, 255] : [20, 60, 200, 255]))
  const tex = doc.createTexture('checker').setImage(png).setMimeType('image/png')
  const mat = doc.createMaterial('checker').setBaseColorTexture(tex)
  mat.getBaseColorTextureInfo()!.setWrapS(wrap).setWrapT(wrap).setMagFilter(9728)
  const prim = addPrimitive(doc, {
    positions: [-1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 1, 0],
    normals: [0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1],
    uvs: [-0.5, 1.5, 1.5, 1.5, 1.5, -0.5, -0.5, -0.5],
    indices: [0, 1, 2, 0, 2, 3],
    material: mat
  })
  add(doc.createNode('quad').setMesh(doc.createMesh('quad').addPrimitive(prim)))
  return doc
}

/** A green quad in front of a blue one; the front quad's texture alpha is a left-right ramp, alpha mode MASK at 0.5. */
export function maskQuadScene (): Document {
  const { doc, add } = newDocument()
  const png = makePng(16, 16, (x) => [255, 255, 255, x * 17])
  const tex = doc.createTexture('ramp').setImage(png).setMimeType('image/png')
  const front = doc.createMaterial('front').setBaseColorFactor([0.1, 0.8, 0.1, 1]).setBaseColorTexture(tex).setAlphaMode('MASK').setAlphaCutoff(0.5)
  const back = doc.createMaterial('back').setBaseColorFactor([0.1, 0.1, 0.8, 1])
  const quad = (z: number, material: typeof front, s: number): ReturnType<typeof addPrimitive> => addPrimitive(doc, {
    positions: [-s, -s, z, s, -s, z, s, s, z, -s, s, z],
    uvs: [0, 1, 1, 1, 1, 0, 0, 0],
    indices: [0, 1, 2, 0, 2, 3],
    material
  })
  add(doc.createNode('back').setMesh(doc.createMesh('back').addPrimitive(quad(-0.5, back, 1.2))))
  add(doc.createNode('front').setMesh(doc.createMesh('front').addPrimitive(quad(0, front, 1))))
  return doc
}

/** A hierarchy: a rotated parent with a translated child cube, a scaled grandchild, and a mirrored (negative scale) sibling. */
export function hierarchyScene (): Document {
  const { doc, add } = newDocument()
  const cube = cubeArrays()
  const mk = (name: string, rgba: [number, number, number, number]): ReturnType<Document['createMesh']> =>
    doc.createMesh(name).addPrimitive(addPrimitive(doc, { ...cube, material: doc.createMaterial(name).setBaseColorFactor(rgba) }))
  const parent = doc.createNode('parent').setRotation([0, 0.3826834323650898, 0, 0.9238795325112867]) // 45° about y
  const child = doc.createNode('child').setTranslation([0.9, 0, 0]).setMesh(mk('a', [0.9, 0.6, 0.1, 1]))
  const grandchild = doc.createNode('grandchild').setTranslation([0, 0.9, 0]).setScale([0.5, 0.5, 0.5]).setMesh(mk('b', [0.2, 0.7, 0.3, 1]))
  const mirrored = doc.createNode('mirrored').setTranslation([-0.9, 0, 0]).setScale([-0.6, 0.6, 0.6]).setMesh(mk('c', [0.3, 0.3, 0.9, 1]))
  child.addChild(grandchild)
  parent.addChild(child).addChild(mirrored)
  add(parent)
  return doc
}

/**
 * A UV sphere of radius 1 with `rings` × `segments` quads (2·rings·segments
 * triangles, poles included as degenerate-free fans), smooth normals, UVs
 * and a vertex-colour band pattern; optionally bumpy (radius 1 + 0.06 ·
 * sin(6θ) · sin(6φ)).
 */
export function sphereScene (rings: number, segments: number, opts: { bumpy?: boolean } = {}): Document {
  const { doc, add } = newDocument()
  const positions: number[] = []; const normals: number[] = []; const uvs: number[] = []; const colors: number[] = []; const indices: number[] = []
  const PI = 3.141592653589793
  for (let r = 0; r <= rings; r++) {
    const theta = PI * r / rings
    const st = detSin(theta); const ct = detCos(theta)
    for (let s = 0; s <= segments; s++) {
      const phi = 2 * PI * s / segments
      const rad = opts.bumpy === true ? 1 + 0.06 * detSin(6 * theta) * detSin(6 * phi) : 1
      const x = st * detCos(phi); const y = ct; const z = st * detSin(phi)
      positions.push(rad * x, rad * y, rad * z)
      normals.push(x, y, z)
      uvs.push(s / segments, r / rings)
      const band = Math.floor(r * 8 / rings) % 2
      colors.push(band === 0 ? 0.9 : 0.2, 0.5, band === 0 ? 0.2 : 0.9, 1)
    }
  }
  for (let r = 0; r < rings; r++) {
    for (let s = 0; s < segments; s++) {
      const a = r * (segments + 1) + s; const b = a + segments + 1
      indices.push(a, a + 1, b, a + 1, b + 1, b)
    }
  }
  const mat = doc.createMaterial('sphere').setBaseColorFactor([1, 1, 1, 1])
  add(doc.createNode('sphere').setMesh(doc.createMesh('sphere').addPrimitive(addPrimitive(doc, { positions, normals, uvs, colors, indices, material: mat }))))
  return doc
}

/** The cube scene quantized with glTF-Transform's quantize() (KHR_mesh_quantization, normalized integers). */
export async function quantizedCubeScene (): Promise<Document> {
  const doc = cubeScene()
  await doc.transform(quantize({ quantizePosition: 10, quantizeNormal: 8, quantizeTexcoord: 10 }))
  return doc
}

/** Twelve small cubes drawn through one mesh with EXT_mesh_gpu_instancing (3 × 4 grid, varying scale). */
export function instancedScene (): Document {
  const { doc, add } = newDocument()
  const ext = doc.createExtension(EXTMeshGPUInstancing).setRequired(true)
  const mat = doc.createMaterial('inst').setBaseColorFactor([0.6, 0.6, 0.2, 1])
  const mesh = doc.createMesh('cube').addPrimitive(addPrimitive(doc, { ...cubeArrays(), material: mat }))
  const t: number[] = []; const s: number[] = []
  for (let j = 0; j < 3; j++) {
    for (let i = 0; i < 4; i++) {
      t.push(-1.5 + i, -1 + j, 0)
      const k = 0.3 + 0.05 * (i + j)
      s.push(k, k, k)
    }
  }
  const buffer = doc.getRoot().listBuffers()[0]!
  const batch = ext.createInstancedMesh()
    .setAttribute('TRANSLATION', doc.createAccessor().setType('VEC3').setArray(new Float32Array(t)).setBuffer(buffer))
    .setAttribute('SCALE', doc.createAccessor().setType('VEC3').setArray(new Float32Array(s)).setBuffer(buffer))
  add(doc.createNode('instances').setMesh(mesh).setExtension('EXT_mesh_gpu_instancing', batch).setRotation([0.2, 0.3, 0, 0.9327379053088815]))
  return doc
}

const execFileAsync = promisify(execFile)

/** Runs the gltfpack CLI (devDependency) on GLB bytes with `args`; returns the output GLB bytes. */
export async function gltfpack (glb: Uint8Array, args: string[]): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'trust-engine-gltfpack-'))
  try {
    const input = join(dir, 'in.glb'); const output = join(dir, 'out.glb')
    await writeFile(input, glb)
    const bin = join(process.cwd(), 'node_modules', '.bin', 'gltfpack')
    await execFileAsync(bin, ['-i', input, '-o', output, ...args])
    return new Uint8Array(await readFile(output))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** GLB bytes of a document. */
export { toGlb }

/** The cube spinning about y: rotation keyframes every 0.5 s over 2 s (LINEAR); `speed` scales the angle per keyframe. */
export function spinningCubeScene (speed = 1): Document {
  const doc = cubeScene({ rotate: false })
  const node = doc.getRoot().listNodes()[0]!
  const buffer = doc.getRoot().listBuffers()[0]!
  const times = [0, 0.5, 1, 1.5, 2]
  const q: number[] = []
  for (let k = 0; k < times.length; k++) {
    const half = 0.25 * speed * k // half-angle in radians
    q.push(0, detSin(half), 0, detCos(half))
  }
  const sampler = doc.createAnimationSampler()
    .setInput(doc.createAccessor().setType('SCALAR').setArray(new Float32Array(times)).setBuffer(buffer))
    .setOutput(doc.createAccessor().setType('VEC4').setArray(new Float32Array(q)).setBuffer(buffer))
    .setInterpolation('LINEAR')
  const channel = doc.createAnimationChannel().setTargetNode(node).setTargetPath('rotation').setSampler(sampler)
  doc.createAnimation('spin').addSampler(sampler).addChannel(channel)
  return doc
}
