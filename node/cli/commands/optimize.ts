/**
 * `trust-engine optimize SCENE -o OUT [--profile P] [--ratio R] [--error E]
 * [--lock-border|--no-lock-border] [--sloppy E|--no-sloppy]
 * [--max-texture N] [--texture-quality Q|lossless] [--texture-format core|webp] [--meshopt|--no-meshopt]
 * [--target ssim=N,psnr=N] [--json]`: optimizes a glTF/GLB scene, writes the
 * result as GLB (atomically: a temporary file renamed into place) and prints
 * the report. With `--target`, searches the settings for the smallest output
 * that the network's renderer and sampling measure at or above the target,
 * and prints the search (`ERR_OPTIMIZER_TARGET_UNREACHABLE` when none does).
 *
 * Exit codes: 0 written; 2 error (`ERR_SCENE_*`, `ERR_FILE_*`,
 * `ERR_OPTIMIZER_OPTIONS_INVALID`, `ERR_OPTIMIZER_NOTHING_LEFT`, `ERR_OUTPUT_WRITE_FAILED`, `ERR_BAD_ARGS`);
 * on error no output file is created or changed.
 */
import { CommanderError, type Command } from 'commander'
import type { Profile } from '../../optimizer/analysis-rules.ts'
import { badArgs, parseThresholds } from '../args.ts'

// The network's default thresholds (protocol/network.ts), for a metric --target leaves out.
const DEFAULT_SSIM_MIN = 0.98
const DEFAULT_PSNR_MIN = 35

function usageErrorsExit2 (err: CommanderError): never {
  if (err.exitCode === 0) throw err
  throw new CommanderError(2, err.code, err.message)
}

function parseNumber (flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value)) throw badArgs(flag, `expected a non-negative number, got ${JSON.stringify(value)}`)
  return Number(value)
}

/** Declares `optimize`. */
export function register (program: Command): void {
  program
    .command('optimize')
    .description('optimize a glTF/GLB scene deterministically and print the report')
    .argument('<scene>', 'a .glb or self-contained .gltf file')
    .requiredOption('-o, --out <file>', 'where to write the optimized .glb')
    .option('--profile <profile>', 'quality, balanced, economy, realtime, archviz, gaming or ai_training', 'balanced')
    .option('--ratio <r>', 'share of triangles to keep, in (0, 1] (default: the profile\'s)')
    .option('--error <e>', 'simplification error bound, fraction of mesh radius (default: the profile\'s)')
    .option('--lock-border', 'keep open mesh borders in place while simplifying (default: the profile\'s)')
    .option('--no-lock-border', 'let simplification move borders and prune parts smaller than the error')
    .option('--sloppy <e>', 'where the precise simplifier stops above the ratio, fall back to the sloppy one within this error (default: the profile\'s)')
    .option('--no-sloppy', 'no sloppy fallback')
    .option('--max-texture <px>', 'largest texture side after resizing (default: the profile\'s)')
    .option('--texture-quality <q>', 'JPEG quality 1-100 for the texture roles the profile encodes lossily, or "lossless" (default: the profile\'s)')
    .option('--texture-format <f>', 'core (PNG and JPEG) or webp (also WebP, EXT_texture_webp, where smaller) (default: the profile\'s)')
    .option('--meshopt', 'write EXT_meshopt_compression (default: the profile\'s)')
    .option('--no-meshopt', 'write no EXT_meshopt_compression')
    .option('--target <thresholds>', 'ssim=N,psnr=N: the smallest output that measures at or above it (default thresholds 0.98 and 35 for a metric left out)')
    .option('--json', 'print the report as JSON')
    .exitOverride(usageErrorsExit2)
    .action(async (scene: string, flags: { out: string, profile: string, ratio?: string, error?: string, lockBorder?: boolean, sloppy?: string | boolean, maxTexture?: string, textureQuality?: string, textureFormat?: string, meshopt?: boolean, target?: string, json?: boolean }) => {
      const { readFileBounded } = await import('../../files/read-bounded.ts')
      const { DEFAULT_SCENE_LIMITS } = await import('../../scene/scene-limits.ts')
      const { PROFILES, isProfile } = await import('../../optimizer/analysis-rules.ts')
      const { writeFileAtomic } = await import('../../files/write-atomic.ts')
      const profile = flags.profile
      if (!isProfile(profile)) throw badArgs('--profile', `one of ${PROFILES.join(', ')}`)
      const ratio = parseNumber('--ratio', flags.ratio)
      const error = parseNumber('--error', flags.error)
      const maxTexture = parseNumber('--max-texture', flags.maxTexture)
      const sloppyError = flags.sloppy === false ? false : parseNumber('--sloppy', typeof flags.sloppy === 'string' ? flags.sloppy : undefined)
      if (typeof sloppyError === 'number' && !(sloppyError > 0 && sloppyError <= 1)) throw badArgs('--sloppy', 'must be in (0, 1]')
      if (ratio !== undefined && !(ratio > 0 && ratio <= 1)) throw badArgs('--ratio', 'must be in (0, 1]')
      if (maxTexture !== undefined && !Number.isInteger(maxTexture)) throw badArgs('--max-texture', 'must be an integer')
      const textureQuality = flags.textureQuality === 'lossless' ? false : parseNumber('--texture-quality', flags.textureQuality)
      if (typeof textureQuality === 'number' && !(Number.isInteger(textureQuality) && textureQuality >= 1 && textureQuality <= 100)) throw badArgs('--texture-quality', 'an integer 1-100 or "lossless"')
      const textureFormat = flags.textureFormat
      if (textureFormat !== undefined && textureFormat !== 'core' && textureFormat !== 'webp') throw badArgs('--texture-format', 'core or webp')
      const bytes = await readFileBounded(scene, DEFAULT_SCENE_LIMITS.maxFileBytes, 'scene')
      if (flags.target !== undefined) {
        if (ratio !== undefined || error !== undefined || maxTexture !== undefined || textureQuality !== undefined) throw badArgs('--target', 'chooses ratio, error, texture size and quality itself; leave those flags out')
        const t = parseThresholds(flags.target, '--target')
        await optimizeTarget(bytes, { ...flags, profile, textureFormat }, { ssimMin: t.ssimMin ?? DEFAULT_SSIM_MIN, psnrMin: t.psnrMin ?? DEFAULT_PSNR_MIN })
        return
      }
      const { optimizeScene } = await import('../../optimizer/optimize.ts')
      const { bytes: out, report } = await optimizeScene(bytes, {
        profile,
        ...(ratio !== undefined ? { ratio } : {}),
        ...(error !== undefined ? { error } : {}),
        ...(flags.lockBorder !== undefined ? { lockBorder: flags.lockBorder } : {}),
        ...(sloppyError !== undefined ? { sloppyError } : {}),
        ...(maxTexture !== undefined ? { maxTextureSize: maxTexture } : {}),
        ...(textureQuality !== undefined ? { textureQuality } : {}),
        ...(flags.meshopt !== undefined ? { meshopt: flags.meshopt } : {}),
        ...(textureFormat !== undefined ? { textureFormat } : {})
      })
      await writeFileAtomic(flags.out, out)
      printReport({ ...flags, profile, textureFormat }, report)
    })
}

/** The flags the output helpers read. */
interface Flags { out: string, profile: Profile, meshopt?: boolean, textureFormat?: 'core' | 'webp' | undefined, json?: boolean }
/** The optimization report. */
type Report = Awaited<ReturnType<typeof import('../../optimizer/optimize.ts').optimizeScene>>['report']

/** Runs the target search, writes its output and prints the search with the report. */
async function optimizeTarget (bytes: Uint8Array, flags: Flags, target: { ssimMin: number, psnrMin: number }): Promise<void> {
  const { optimizeToTarget } = await import('../../optimizer/optimize-to-target.ts')
  const { writeFileAtomic } = await import('../../files/write-atomic.ts')
  const t0 = process.hrtime.bigint()
  const r = await optimizeToTarget(bytes, target, { profile: flags.profile, ...(flags.meshopt !== undefined ? { meshopt: flags.meshopt } : {}), ...(flags.textureFormat !== undefined ? { textureFormat: flags.textureFormat } : {}) })
  const searchMs = Number(process.hrtime.bigint() - t0) / 1e6
  await writeFileAtomic(flags.out, r.bytes)
  if (flags.json === true) {
    process.stdout.write(JSON.stringify({ out: flags.out, searchMs, search: r.search, ...r.report }, null, 2) + '\n')
    return
  }
  process.stdout.write([
    `target       ssim >= ${target.ssimMin}, psnr >= ${target.psnrMin} (seed ${r.search.seed.slice(0, 16)}...); search ${(searchMs / 1000).toFixed(1)} s`,
    ...r.search.steps.map((s) => `  rung ${s.rung}  ratio ${s.settings.ratio} error ${s.settings.error} tex ${s.settings.maxTextureSize} q ${s.settings.textureQuality === false ? 'lossless' : s.settings.textureQuality}: ${s.bytes} bytes, ${s.triangles} tris, ssim ${s.ssim.toFixed(4)}, psnr ${s.psnr.toFixed(2)} ${s.passed ? 'pass' : 'fail'}`),
    `chosen       rung ${r.search.chosen}: ${r.bytes.byteLength} of ${r.search.inputBytes} bytes (x${(r.bytes.byteLength / r.search.inputBytes).toFixed(3)})`
  ].join('\n') + '\n')
  printReport(flags, r.report)
}

/** Prints the report as text or JSON. */
function printReport (flags: Flags, report: Report): void {
  if (flags.json === true) {
    process.stdout.write(JSON.stringify({ out: flags.out, ...report }, null, 2) + '\n')
    return
  }
  const row = (name: string, key: keyof typeof report.before): string =>
    `${name.padEnd(22)}${String(report.before[key]).padStart(12)} -> ${String(report.after[key]).padStart(12)}  (x${report.ratios[key].toFixed(3)})`
  process.stdout.write([
    `written      ${flags.out} (sha256 ${report.outputHash})`,
    `profile      ${report.profile}; route ${report.routing.pipeline}; complexity ${report.complexity.toFixed(4)} (${report.complexityClass})`,
    ...report.routing.reasons.map((r) => `             - ${r}`),
    row('triangles', 'triangles'), row('vertices', 'vertices'), row('draw calls', 'drawCalls'), row('materials', 'materials'),
    row('texture memory bytes', 'textureMemoryBytes'), row('geometry bytes', 'geometryBytes'), row('file bytes', 'fileBytes'),
    ...(report.simplification === null ? [] : [`simplify     ratio ${report.simplification.requested} requested, ${report.simplification.achieved.toFixed(3)} achieved`]),
    'operations',
    ...report.operations.map((o) => `  ${o.name.padEnd(10)} ${o.detail}`),
    `estimates    ${report.estimates.processingSeconds.toFixed(1)} s, ${report.estimates.costUsd.toFixed(2)} USD`
  ].join('\n') + '\n')
}
