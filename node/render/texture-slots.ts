/**
 * Texture slots of a material that are read at the same texels, so that a
 * shader computes their footprint once per pixel (shading.ts).
 */
import type { PreparedPrimitive, TextureBinding } from './scene-reader.ts'

/**
 * Groups of texture slots read at the same texels with the same weights:
 * the same UV set and transform (so the same coordinates), level-0 size (so
 * the same mip chain sizes and level of detail), wrap modes and filter. A
 * group's footprint is computed once per pixel and read from each of its
 * textures. `slotGroup[s]` is slot s's group (−1 without texture);
 * `groupSlot[g]` a slot of group g; `groupUv[g]` its UV group (same set and
 * transform), whose first slot is `uvSlot`.
 */
export interface SlotGroups {
  slotGroup: Int32Array
  groupSlot: number[]
  groupUv: number[]
  uvSlot: number[]
}

export function groupSlots (prim: PreparedPrimitive, slots: ReadonlyArray<TextureBinding | null>): SlotGroups {
  const SLOTS = slots.length
  const slotGroup = new Int32Array(SLOTS).fill(-1)
  const groupSlot: number[] = []; const groupUv: number[] = []; const uvSlot: number[] = []
  const uvKeys: string[] = []; const keys: string[] = []
  for (let s = 0; s < SLOTS; s++) {
    const b = slots[s]
    if (b === null || b === undefined) continue
    const uvKey = `${b.texCoord === 1 && prim.uv1 !== null ? 1 : 0} ${b.transform === null ? '-' : Array.from(b.transform).join(',')}`
    let u = uvKeys.indexOf(uvKey)
    if (u < 0) { u = uvKeys.length; uvKeys.push(uvKey); uvSlot.push(s) }
    const lv = b.texture.levels[0]!
    const key = `${u} ${lv.width}x${lv.height} ${b.wrapS} ${b.wrapT} ${b.nearest} ${b.mipmaps}`
    let g = keys.indexOf(key)
    if (g < 0) { g = keys.length; keys.push(key); groupSlot.push(s); groupUv.push(u) }
    slotGroup[s] = g
  }
  return { slotGroup, groupSlot, groupUv, uvSlot }
}
