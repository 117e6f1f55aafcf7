/**
 * The list of benchmark suites run by `npm run bench`. Each suite lives in its
 * own file in this folder and measures its figures beside a baseline.
 */
import type { BenchSuite } from './types.ts'
import { auditSuite } from './audit.ts'
import { ssimSuite } from './ssim.ts'
import { finalitySuite } from './finality.ts'

/** Every suite, in the order the table prints them. */
export const SUITES: BenchSuite[] = [
  auditSuite,
  (await import('./render.ts')).renderSuite,
  ssimSuite,
  (await import('./optimizer.ts')).optimizerSuite,
  (await import('./optimizer-profiles.ts')).optimizerProfilesSuite,
  (await import('./scene-job.ts')).sceneJobSuite,
  finalitySuite,
  (await import('./vote-intake.ts')).voteIntake,
  (await import('./vrf.ts')).vrfSuite,
  (await import('./gossip.ts')).gossipSuite,
  (await import('./listing.ts')).listingSuite,
  (await import('./retention.ts')).retentionSuite,
  (await import('./storage-checks.ts')).storageChecksSuite,
  (await import('./footprint.ts')).footprintSuite,
  (await import('./stop.ts')).stopSuite,
]
