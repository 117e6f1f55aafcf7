/**
 * `trust-engine analyze SCENE [--profile P] [--resolution WxH] [--json]`:
 * analyzes a glTF/GLB scene (measured counts, complexity score and class,
 * routing, hints, estimates) and prints it.
 *
 * Exit codes: 0 analyzed; 2 error (`ERR_SCENE_*` for bad scenes, `ERR_FILE_*`
 * for unreadable files, `ERR_BAD_ARGS` for bad flags).
 */
import { CommanderError, type Command } from 'commander'
import { badArgs } from '../args.ts'

function usageErrorsExit2 (err: CommanderError): never {
  if (err.exitCode === 0) throw err
  throw new CommanderError(2, err.code, err.message)
}

/** Declares `analyze`. */
export function register (program: Command): void {
  program
    .command('analyze')
    .description('analyze a glTF/GLB scene: counts, complexity, routing, hints, estimates')
    .argument('<scene>', 'a .glb or self-contained .gltf file')
    .option('--profile <profile>', 'optimization profile whose routing override applies', 'balanced')
    .option('--resolution <WxH>', 'target render resolution for the cost estimate', '1920x1080')
    .option('--json', 'print the full analysis as JSON')
    .exitOverride(usageErrorsExit2)
    .action(async (scene: string, flags: { profile: string, resolution: string, json?: boolean }) => {
      const { readFileBounded } = await import('../../files/read-bounded.ts')
      // The modules analysis needs, not the optimizer's index (which would load every pass and encoder).
      const { analyzeScene } = await import('../../optimizer/analyze.ts')
      const { DEFAULT_SCENE_LIMITS } = await import('../../scene/scene-limits.ts')
      const { PROFILES, isProfile } = await import('../../optimizer/analysis-rules.ts')
      const profile = flags.profile
      if (!isProfile(profile)) throw badArgs('--profile', `one of ${PROFILES.join(', ')}`)
      const m = /^(\d{1,5})x(\d{1,5})$/.exec(flags.resolution)
      if (m === null || Number(m[1]) < 1 || Number(m[2]) < 1) throw badArgs('--resolution', 'expected WIDTHxHEIGHT, e.g. 1920x1080')
      const bytes = await readFileBounded(scene, DEFAULT_SCENE_LIMITS.maxFileBytes, 'scene')
      const a = await analyzeScene(bytes, { profile, resolution: [Number(m[1]), Number(m[2])] })
      if (flags.json === true) {
        process.stdout.write(JSON.stringify(a, null, 2) + '\n')
        return
      }
      const s = a.stats
      process.stdout.write([
        `scene        ${scene} (${a.format}, ${s.fileBytes} bytes, sha256 ${a.contentHash})`,
        `geometry     ${s.triangles} triangles, ${s.vertices} vertices, ${s.meshes} meshes, ${s.drawCalls} draw calls, ${s.nodes} nodes`,
        `materials    ${s.materials} (opaque ${s.alphaModes.OPAQUE}, mask ${s.alphaModes.MASK}, blend ${s.alphaModes.BLEND}, transmission ${s.transmissionMaterials}, volume ${s.volumeMaterials})`,
        `textures     ${s.textures} (${s.textureBytes} bytes, ${s.textureMemoryBytes} bytes GPU)`,
        `lights       ${s.lights}; animations ${s.animations} (${s.animationChannels} channels, ${s.keyframes} keyframes); skins ${s.skins}; morph targets ${s.morphTargets}`,
        `memory       ${s.gpuMemoryBytes} bytes GPU (geometry ${s.geometryBytes})`,
        `complexity   ${a.complexity.toFixed(4)} (${a.complexityClass}); LOD potential ${a.lodPotential}; baking potential ${a.bakingPotential.toFixed(2)}; dynamic ratio ${a.dynamicRatio.toFixed(2)}`,
        `routing      ${a.routing.pipeline} for profile ${a.routing.profile} (primary ${a.routing.primary}${a.routing.secondary === null ? '' : `, secondary ${a.routing.secondary}`})`,
        ...a.routing.reasons.map((r) => `             - ${r}`),
        `estimates    ${a.estimates.processingSeconds.toFixed(1)} s, ${a.estimates.costUsd.toFixed(2)} USD`,
        ...a.hints.map((h) => `hint         ${h}`)
      ].join('\n') + '\n')
    })
}
