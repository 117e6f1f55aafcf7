/**
 * The fast vote-shape check (protocol/vote.ts isVoteShape) is a second
 * statement of the zod vote schema: here both must accept and refuse exactly
 * the same JSON values, so neither can change without the other.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalString } from '../../protocol/canonical.ts'
import { MAX_ROUND, MAX_SAMPLES } from '../../protocol/constants.ts'
import { isVoteShape, voteSchema } from '../../protocol/vote.ts'
import { CAVEATS } from '../../protocol/caveats.ts'
import { GOOD, makeJob, makeNetwork, makeVote } from './fixtures.ts'

const { network, keys } = makeNetwork([1, 1, 1, 1])
const job = makeJob(network, keys[0]!)
const plain = makeVote(network, job, keys[1]!, GOOD)
const checked = { ...plain, checks: { candidateHashMatches: true } }
const caveated = { ...plain, caveats: ['clearcoat-normal', 'sheen', 'volume'] }

/** What JSON.parse makes of a value's canonical text: the only kind of value the fast path is given. */
const parsed = (value: unknown): unknown => JSON.parse(canonicalString(value))

const hex = (n: number, c = 'a'): string => c.repeat(n)
// Values at and around every edge of the schema: each field's valid forms, its bounds, and near misses.
const EDGES: unknown[] = [
  null, true, false, 0, -0, 1, -1, 0.5, MAX_ROUND, MAX_ROUND + 1, MAX_SAMPLES, MAX_SAMPLES + 1, 2 ** 53, 1e21, -1e-7, 40.5,
  '', 'vote', 'job', 'Infinity', '-Infinity', 'NaN', 'testnet', 'a', hex(63), hex(64), hex(65), hex(128), hex(127), hex(64, 'A'), hex(64, 'g'),
  plain.voter, plain.voter.toUpperCase(), plain.signature, plain.engine, `${plain.engine}x`, 'Engine/1', '-net', 'net-', hex(64, 'n'),
  [], [0], [0.9, 1], [0.9, 1, 1], ['Infinity', 'Infinity'], [0.9, '1'],
  'sheen', ['sheen'], ['sheen', 'volume'], ['volume', 'sheen'], ['sheen', 'sheen'], ['sheen', 'Sheen'], ['KHR_materials_sheen'], [...CAVEATS], [...CAVEATS, 'zz'], ['anisotropy', 1],
  {}, { candidateHashMatches: false }, { candidateHashMatches: 1 }, { candidateHashMatches: true, other: true }, { other: true },
  { ssim: 0.5, psnr: 12, ssimLocal: 0.5 }, { ssim: 0.5, psnr: 'Infinity', ssimLocal: 0.5 }, { ssim: 0.5, psnr: 12 }, { ssim: 0.5, psnr: 12, ssimLocal: 0.5, lpips: 0 },
  { ssim: [0.9, 1], psnr: [30, 'Infinity'], ssimLocal: [0.9, 1] }, { ssim: [0.9, 1], psnr: [30, 40] },
  JSON.parse('{"__proto__":{"ssim":1}}'), JSON.parse('{"__proto__":null}')
]

type Json = unknown
type Path = Array<string | number>

/** Every path into a vote-like value: the object members and array items at any depth. */
function paths (value: Json, prefix: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return []
  const out: Path[] = []
  const entries: Array<[string | number, Json]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value)
  for (const [k, v] of entries) out.push([...prefix, k], ...paths(v, [...prefix, k]))
  return out
}

/** A mutation: set a member or item (added when missing), or remove it. */
interface Mutation { pick: number, remove: boolean, key: string, value: Json }

function mutate (base: Json, mutations: Mutation[]): Json {
  const value = structuredClone(base)
  for (const m of mutations) {
    const all = paths(value)
    // Some mutations add a member to an object that has none of that name instead.
    const path = all.length === 0 ? [] : all[m.pick % all.length]!
    const parentPath = m.key === '' ? path.slice(0, -1) : path
    let parent: Json = value
    for (const k of parentPath) parent = (parent as Record<string | number, Json>)[k]
    if (typeof parent !== 'object' || parent === null) continue
    const key: string | number = m.key === '' ? path[path.length - 1]! : m.key
    if (Array.isArray(parent)) {
      if (typeof key !== 'number') continue
      if (m.remove) parent.splice(key, 1)
      // A copy: a later mutation may alter what this one put in, and must not alter the shared edge value (or make a cycle).
      else parent[key] = structuredClone(m.value)
    } else if (m.remove) {
      delete (parent as Record<string, Json>)[key]
    } else {
      (parent as Record<string, Json>)[key] = structuredClone(m.value)
    }
  }
  return parsed(value)
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  pick: fc.nat(),
  remove: fc.boolean(),
  // '' replaces a member or item; a name adds one (a known name again, or a stranger).
  key: fc.oneof({ weight: 6, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('checks', 'caveats', 'extra', 'candidateHashMatches', 'ssim', 'lpips', 'type') }),
  value: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...EDGES) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }, { weight: 1, arbitrary: fc.double({ min: -2, max: 60, noNaN: true }) })
})

describe('the fast vote-shape check and the vote schema', () => {
  it('accept and refuse the same values: honest votes, every field at the schema\'s edges', () => {
    for (const base of [plain, checked, caveated]) {
      expect(isVoteShape(parsed(base))).toBe(true)
      for (const path of paths(parsed(base))) {
        for (const value of [...EDGES, undefined]) {
          const v = mutate(base, [{ pick: paths(parsed(base)).findIndex((p) => p.join('.') === path.join('.')), remove: value === undefined, key: '', value }])
          expect([path.join('.'), value, isVoteShape(v)]).toEqual([path.join('.'), value, voteSchema.safeParse(v).success])
        }
      }
    }
  })

  it('accept and refuse the same values over votes altered at any depth (property), and both answers occur', () => {
    let accepted = 0
    let refused = 0
    fc.assert(fc.property(fc.constantFrom(plain, checked, caveated), fc.array(mutation, { minLength: 0, maxLength: 3 }), (base, mutations) => {
      const value = mutate(base, mutations)
      const schema = voteSchema.safeParse(value).success
      expect(isVoteShape(value)).toBe(schema)
      if (schema) accepted++
      else refused++
    }), { numRuns: 3000 })
    // A generator that only ever made broken votes (or only valid ones) would prove nothing.
    expect(accepted).toBeGreaterThan(300)
    expect(refused).toBeGreaterThan(300)
  })

  it('accept and refuse the same arbitrary JSON values (property)', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 3 }), (value) => {
      const v = parsed(value)
      expect(isVoteShape(v)).toBe(voteSchema.safeParse(v).success)
    }), { numRuns: 500 })
  })
})
