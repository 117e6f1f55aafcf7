/**
 * Generated meshes shaped like files exported from modelling tools, for the
 * simplifier's tests and the optimizer benchmark: a smooth relief written as
 * a triangle soup whose copies of a vertex differ in the last bits of their
 * normal (exporters that accumulate normals per face write them so), and a
 * blocky voxel figure with flat faces and palette texture coordinates.
 * Deterministic: no randomness.
 */
import type { Document, Material, Mesh } from '@gltf-transform/core'

/** Height of the relief at grid point (x, y) of an n-segment grid. */
const relief = (x: number, y: number, n: number): [number, number, number] =>
  [x / n - 0.5, 0.05 * Math.sin(x / n * 6.283) * Math.cos(y / n * 6.283), y / n - 0.5]

/**
 * The relief's unit normal at (x, y), normalized in one of three arithmetic
 * orders (`order` 0..2): the three results agree to float32 rounding, not bit
 * for bit, as normals accumulated per face by an exporter do.
 */
function reliefNormal (x: number, y: number, n: number, order: number): [number, number, number] {
  const dx = 0.05 * 6.283 * Math.cos(x / n * 6.283) * Math.cos(y / n * 6.283)
  const dz = -0.05 * 6.283 * Math.sin(x / n * 6.283) * Math.sin(y / n * 6.283)
  const v: [number, number, number] = [-dx, 1, -dz]
  const f = Math.fround
  const length = order === 0
    ? Math.hypot(v[0], v[1], v[2])
    : order === 1
      ? Math.sqrt(f(f(f(v[2] * v[2]) + f(v[1] * v[1])) + f(v[0] * v[0])))
      : Math.sqrt(f(f(v[0] * v[0]) + f(v[2] * v[2])) + v[1] * v[1])
  return [f(v[0] / length), f(v[1] / length), f(v[2] / length)]
}

/**
 * Adds an n × n relief (2·n² triangles) written as an unindexed triangle
 * soup: every triangle has its own three vertices and each corner's normal
 * is normalized in its own order, so a bitwise weld leaves seams everywhere.
 */
export function addExportedRelief (doc: Document, n: number, material: Material): Mesh {
  const buffer = doc.getRoot().listBuffers()[0] ?? doc.createBuffer()
  const pos = new Float32Array(n * n * 18)
  const nor = new Float32Array(n * n * 18)
  let k = 0
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const corners: Array<[number, number]> = [[x, y], [x, y + 1], [x + 1, y], [x + 1, y], [x, y + 1], [x + 1, y + 1]]
      corners.forEach(([a, b], c) => {
        pos.set(relief(a, b, n), k * 3)
        nor.set(reliefNormal(a, b, n, (x + y + c) % 3), k * 3)
        k++
      })
    }
  }
  const prim = doc.createPrimitive()
    .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(pos).setBuffer(buffer))
    .setAttribute('NORMAL', doc.createAccessor().setType('VEC3').setArray(nor).setBuffer(buffer))
    .setMaterial(material)
  return doc.createMesh('relief').addPrimitive(prim)
}

/** Palette index of the voxel whose centre is (u, v, w) in figure units (12 wide, 6 deep, 32 tall), or -1 for empty. */
function figureVoxel (u: number, v: number, w: number): number {
  if (v < 12) {
    const leg = (Math.abs(u - 3.5) < 2 || Math.abs(u - 8.5) < 2) && Math.abs(w - 3) < 2
    return leg ? (v < 2 ? 4 : 2) : -1
  }
  if (v < 24) {
    if (Math.abs(u - 6) < 4 && Math.abs(w - 3) < 2.5) return 1
    if ((u < 2 || u >= 10) && Math.abs(w - 3) < 1.5 && v > 15) return v < 17 ? 0 : 1
    return -1
  }
  if (Math.hypot((u - 6) / 3.5, (v - 28) / 4, (w - 3) / 3) >= 1) return -1
  if (w < 1.5 && v > 28 && v < 29.5 && Math.abs(Math.abs(u - 6) - 1.5) < 0.6) return 3
  return v > 30.5 ? 5 : 0
}

/** Faces of a unit cube: axis, sign. */
const FACES: Array<[number, 1 | -1]> = [[0, 1], [0, -1], [1, 1], [1, -1], [2, 1], [2, -1]]

/**
 * Adds a voxel character (legs, torso, arms, head; `scale` voxels per figure
 * unit, 12·scale × 32·scale × 6·scale cells): one quad per visible voxel face
 * with its own four vertices, flat normals and a texture coordinate at the
 * centre of its colour's cell in an 8 × 1 palette, as voxel editors export.
 */
export function addVoxelFigure (doc: Document, scale: number, material: Material): Mesh {
  const buffer = doc.getRoot().listBuffers()[0] ?? doc.createBuffer()
  const size = [12 * scale, 32 * scale, 6 * scale]
  const cell = (p: number[]): number => p.some((c, i) => c < 0 || c >= size[i]!) ? -1 : figureVoxel((p[0]! + 0.5) / scale, (p[1]! + 0.5) / scale, (p[2]! + 0.5) / scale)
  const pos: number[] = []; const nor: number[] = []; const uv: number[] = []; const idx: number[] = []
  for (let y = 0; y < size[1]!; y++) {
    for (let z = 0; z < size[2]!; z++) {
      for (let x = 0; x < size[0]!; x++) {
        const colour = cell([x, y, z])
        if (colour < 0) continue
        for (const [axis, sign] of FACES) {
          const next = [x, y, z]; next[axis]! += sign
          if (cell(next) >= 0) continue
          const b = (axis + 1) % 3; const c = (axis + 2) % 3
          const origin = [x, y, z]; if (sign > 0) origin[axis]! += 1
          const first = pos.length / 3
          for (const [i, j] of [[0, 0], [1, 0], [1, 1], [0, 1]] as const) {
            const p = origin.slice(); p[b]! += i; p[c]! += j
            pos.push(p[0]! / size[1]! - size[0]! / size[1]! / 2, p[1]! / size[1]!, p[2]! / size[1]!)
            const normal = [0, 0, 0]; normal[axis] = sign
            nor.push(...normal)
            uv.push((colour + 0.5) / 8, 0.5)
          }
          if (sign > 0) idx.push(first, first + 1, first + 2, first, first + 2, first + 3)
          else idx.push(first, first + 2, first + 1, first, first + 3, first + 2)
        }
      }
    }
  }
  const prim = doc.createPrimitive()
    .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(new Float32Array(pos)).setBuffer(buffer))
    .setAttribute('NORMAL', doc.createAccessor().setType('VEC3').setArray(new Float32Array(nor)).setBuffer(buffer))
    .setAttribute('TEXCOORD_0', doc.createAccessor().setType('VEC2').setArray(new Float32Array(uv)).setBuffer(buffer))
    .setIndices(doc.createAccessor().setType('SCALAR').setArray(new Uint32Array(idx)).setBuffer(buffer))
    .setMaterial(material)
  return doc.createMesh('figure').addPrimitive(prim)
}
