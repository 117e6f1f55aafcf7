/**
 * Poses a prepared scene at an animation time: samples every animation
 * channel, composes world matrices down the node tree, and lists the draw
 * items (one per primitive per instance) in traversal order.
 *
 * Rotation channels with LINEAR interpolation use normalized linear
 * interpolation (nlerp, shortest arc) instead of slerp: slerp needs acos and
 * sin, whose results are not guaranteed identical across engines; nlerp needs
 * only a square root. For keyframes closer than ~30° the two differ by well
 * under a pixel; both sides of a comparison use the same rule.
 */
import { fromTRS, identity, type Mat4, multiply } from './mat4.ts'
import type { PreparedLight } from './lights.ts'
import type { PreparedChannel, PreparedNode, PreparedPrimitive, PreparedScene } from './scene-reader.ts'

/** One primitive to draw with its model matrix (and skin/morph state). */
export interface DrawItem {
  primitive: PreparedPrimitive
  /** Model → world (identity for skinned primitives, whose joints carry the transform). */
  world: Mat4
  /** Joint matrices (joint world × inverse bind) when skinned. */
  jointMatrices: Mat4[] | null
  /** Morph target weights in effect. */
  morphWeights: number[]
}

/** Samples a channel at time `t` into `out` (length = components). */
export function sampleChannel (ch: PreparedChannel, t: number, out: number[]): void {
  const { input, output, components: c, interpolation } = ch
  const n = input.length
  const cubic = interpolation === 'CUBICSPLINE'
  const stride = cubic ? c * 3 : c
  const valueAt = (k: number, j: number): number => output[k * stride + (cubic ? c : 0) + j]!
  if (!(t > input[0]!) || n === 1) { for (let j = 0; j < c; j++) out[j] = valueAt(0, j); return }
  if (t >= input[n - 1]!) { for (let j = 0; j < c; j++) out[j] = valueAt(n - 1, j); return }
  let lo = 0; let hi = n - 1
  while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (input[mid]! <= t) lo = mid; else hi = mid }
  const t0 = input[lo]!; const t1 = input[hi]!
  const dt = t1 - t0
  const s = dt > 0 ? (t - t0) / dt : 0
  if (interpolation === 'STEP') { for (let j = 0; j < c; j++) out[j] = valueAt(lo, j); return }
  if (cubic) {
    const s2 = s * s; const s3 = s2 * s
    const h00 = 2 * s3 - 3 * s2 + 1; const h10 = s3 - 2 * s2 + s; const h01 = -2 * s3 + 3 * s2; const h11 = s3 - s2
    for (let j = 0; j < c; j++) {
      const outTangent = output[lo * stride + 2 * c + j]!
      const inTangent = output[hi * stride + j]!
      out[j] = h00 * valueAt(lo, j) + h10 * dt * outTangent + h01 * valueAt(hi, j) + h11 * dt * inTangent
    }
  } else {
    let sign = 1
    if (ch.path === 'rotation') {
      let dot = 0
      for (let j = 0; j < 4; j++) dot += valueAt(lo, j) * valueAt(hi, j)
      if (dot < 0) sign = -1
    }
    for (let j = 0; j < c; j++) out[j] = valueAt(lo, j) * (1 - s) + sign * valueAt(hi, j) * s
  }
  if (ch.path === 'rotation') {
    const len = Math.sqrt(out[0]! * out[0]! + out[1]! * out[1]! + out[2]! * out[2]! + out[3]! * out[3]!)
    if (len > 0) for (let j = 0; j < 4; j++) out[j] = out[j]! / len
  }
}

/** A posed scene light: its properties and its node's world matrix. */
export interface PosedLight {
  light: PreparedLight
  world: Mat4
}

/** A posed scene: draw items and lights, in traversal order. */
export interface PosedScene {
  items: DrawItem[]
  lights: PosedLight[]
}

/** Poses the scene at time `t` (seconds; ignored when not animated) and lists its draw items. */
export function poseScene (scene: PreparedScene, t: number): DrawItem[] {
  return poseSceneWithLights(scene, t).items
}

/** Poses the scene at time `t` and lists its draw items and its lights. */
export function poseSceneWithLights (scene: PreparedScene, t: number): PosedScene {
  const local = scene.nodes.map((n) => ({ t: [...n.translation], r: [...n.rotation], s: [...n.scale], w: [...n.weights] }))
  for (const ch of scene.channels) {
    const l = local[ch.node]!
    const tmp: number[] = new Array<number>(ch.components).fill(0)
    sampleChannel(ch, t, tmp)
    if (ch.path === 'translation') l.t = tmp.slice(0, 3)
    else if (ch.path === 'rotation') l.r = tmp.slice(0, 4)
    else if (ch.path === 'scale') l.s = tmp.slice(0, 3)
    else l.w = tmp
  }
  const world: Mat4[] = new Array<Mat4>(scene.nodes.length)
  const walk = (n: PreparedNode, parent: Mat4): void => {
    const l = local[n.index]!
    world[n.index] = multiply(parent, fromTRS(l.t, l.r, l.s))
    for (const c of n.children) walk(c, world[n.index]!)
  }
  const id = identity()
  for (const r of scene.roots) walk(r, id)

  const items: DrawItem[] = []
  const lights: PosedLight[] = []
  for (const n of scene.nodes) {
    if (n.light !== null && world[n.index] !== undefined) lights.push({ light: n.light, world: world[n.index]! })
    if (n.primitives.length === 0) continue
    const w = world[n.index]!
    const morphWeights = local[n.index]!.w
    if (n.skin !== null) {
      const joints = n.skin.joints.map((j, i) => multiply(world[j]!, n.skin!.inverseBindMatrices[i]!))
      for (const p of n.primitives) {
        const skinned = p.joints !== null && p.weights !== null
        items.push({ primitive: p, world: skinned ? id : w, jointMatrices: skinned ? joints : null, morphWeights })
      }
      continue
    }
    const models = n.instances === null ? [w] : n.instances.map((m) => multiply(w, m))
    for (const m of models) {
      for (const p of n.primitives) items.push({ primitive: p, world: m, jointMatrices: null, morphWeights })
    }
  }
  return { items, lights }
}
