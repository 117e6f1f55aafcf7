/**
 * Child process of the skip-native-pixels test: records every module this
 * process resolves, registers the optimizer's hook unless argv[2] is "off",
 * optimizes a generated textured scene and prints whether sharp was resolved
 * and the output's sha256.
 */
import { createHash } from 'node:crypto'
import { registerHooks } from 'node:module'

const resolved: string[] = []
registerHooks({ resolve (specifier, context, next) { const r = next(specifier, context); resolved.push(r.url); return r } })
if (process.argv[2] !== 'off') (await import('../../../node/optimizer/skip-native-pixels.ts')).skipNativePixels()
const { makeGlb } = await import('../../../sim/scenes.ts')
const { optimizeScene } = await import('../../../node/optimizer/optimize.ts')
const { bytes } = await optimizeScene(await makeGlb({ grids: [20], texture: [64, 64] }), { profile: 'economy' })
process.stdout.write(JSON.stringify({ sharp: resolved.some((u) => u.includes('/node_modules/sharp/')), sha256: createHash('sha256').update(bytes).digest('hex') }) + '\n')
