/**
 * Caveats: what changes a scene's look but the measurement engine does not
 * render (a material extension it ignores, lights beyond its cap). A verdict
 * holds for what the engine shows; its caveats say what it did not see.
 *
 * A vote and a certificate carry the caveats of the job's measurement as a
 * list of short names from the closed vocabulary {@link CAVEATS}, strictly
 * ascending (sorted, no repeats), hence at most one of each; an empty list is
 * not written (the field is absent), so every list has one encoding. Honest
 * nodes measure bit-identically, so their votes carry identical caveats, and
 * the consensus rule counts a vote as agreeing only when its caveats equal the
 * consensus caveats (docs/protocol.md, "Caveats"). Frames jobs have none.
 */
import { z } from 'zod'

/** Every caveat name, in ascending order (UTF-16 code units, the canonical order). */
export const CAVEATS = [
  /** KHR_materials_anisotropy is not rendered. */
  'anisotropy',
  /** A clearcoat's own normal texture (KHR_materials_clearcoat clearcoatNormalTexture) is not rendered. */
  'clearcoat-normal',
  /** KHR_materials_diffuse_transmission is not rendered. */
  'diffuse-transmission',
  /** KHR_materials_dispersion is not rendered. */
  'dispersion',
  /** KHR_materials_iridescence is not rendered. */
  'iridescence',
  /** The scene has more KHR_lights_punctual lights than the renderer lights (the others are dropped). */
  'lights-over-cap',
  /** KHR_materials_sheen is not rendered. */
  'sheen',
  /** KHR_materials_pbrSpecularGlossiness is not rendered (the metallic-roughness fallback is). */
  'specular-glossiness',
  /** KHR_materials_volume is not rendered (transmission is approximated without it). */
  'volume'
] as const

/** One of {@link CAVEATS}. */
export type Caveat = typeof CAVEATS[number]

const CAVEAT_SET: ReadonlySet<string> = new Set(CAVEATS)

/** True when `list` is strictly ascending (sorted, no repeats). */
function strictlyAscending (list: readonly string[]): boolean {
  for (let i = 1; i < list.length; i++) if (!(list[i - 1]! < list[i]!)) return false
  return true
}

/**
 * Schema of a caveat list on the wire: 1 to {@link CAVEATS}.length names of
 * the vocabulary, strictly ascending. Messages hold it as an optional field
 * that is absent when there are no caveats.
 */
export const caveatsSchema = z.array(z.enum(CAVEATS)).min(1).max(CAVEATS.length)
  .refine(strictlyAscending, { message: 'caveats must be sorted and distinct' })

/**
 * The fast path's statement of {@link caveatsSchema} (see `isVoteShape` in
 * vote.ts): true exactly for the values the schema accepts.
 */
export function isCaveatsShape (x: unknown): boolean {
  if (!Array.isArray(x) || x.length < 1 || x.length > CAVEATS.length) return false
  for (const c of x) if (typeof c !== 'string' || !CAVEAT_SET.has(c)) return false
  return strictlyAscending(x as string[])
}

/** True when `name` is a caveat of the vocabulary. */
export function isCaveat (name: string): name is Caveat {
  return CAVEAT_SET.has(name)
}

/** The wire form of a caveat list: sorted, without repeats (the empty list stays empty; the field is then left out). */
export function normalizeCaveats (list: Iterable<Caveat>): Caveat[] {
  return [...new Set(list)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/** The caveats of a vote or certificate: its list, or none when the field is absent. */
export function caveatsOf (message: { caveats?: readonly Caveat[] | undefined }): readonly Caveat[] {
  return message.caveats ?? []
}

/** True when two caveat lists in wire form are the same list. */
export function sameCaveats (a: readonly Caveat[], b: readonly Caveat[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** One string per caveat list in wire form (distinct lists give distinct keys; the empty list gives ''). */
export function caveatsKey (list: readonly Caveat[]): string {
  return list.join(',')
}
