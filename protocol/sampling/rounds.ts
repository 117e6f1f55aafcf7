/**
 * Sampling of a job's rounds. Round 0 uses the original verifier's Cochran
 * numbers. A grey-zone round (round 1, see protocol/consensus/grey-zone.ts)
 * halves the margin of error, which quadruples the sample (n ∝ 1/e²), with
 * the clamp scaled alike ([40, 400] instead of [10, 100]), and draws its
 * samples from a fresh seed so they are new samples, not the same ones again.
 */
import { DEFAULT_COCHRAN_OPTIONS, type CochranOptions } from './cochran.ts'

/** Margin divisor of a grey-zone round: 2 halves the margin, so the sample grows about 4×. */
export const GREY_ZONE_MARGIN_DIVISOR = 2

/** Cochran options of round `round` (0: the defaults). */
export function cochranForRound (round: number): CochranOptions {
  if (round === 0) return { ...DEFAULT_COCHRAN_OPTIONS }
  const d = GREY_ZONE_MARGIN_DIVISOR
  return {
    ...DEFAULT_COCHRAN_OPTIONS,
    baseMargin: DEFAULT_COCHRAN_OPTIONS.baseMargin / d,
    marginPerComplexity: DEFAULT_COCHRAN_OPTIONS.marginPerComplexity / d,
    min: DEFAULT_COCHRAN_OPTIONS.min * d * d,
    max: DEFAULT_COCHRAN_OPTIONS.max * d * d
  }
}

/** Seed parts that make round `round`'s samples differ from round 0's (none for round 0, so round 0 seeds stay as they are). */
export function roundSeedParts (round: number): string[] {
  return round === 0 ? [] : ['round', String(round)]
}
