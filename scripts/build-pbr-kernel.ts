/**
 * Builds node/render/kernel/pbr-kernel.wasm, the WebAssembly shade and resolve
 * of the PBR renderer (node/render/pbr-kernel.ts), from its AssemblyScript
 * sources with the pinned compiler (devDependency `assemblyscript`). The
 * .wasm is committed, so a node never runs the compiler; a test rebuilds it
 * and checks that the bytes are the same.
 *
 *     node scripts/build-pbr-kernel.ts [OUT.wasm]
 */
import { fileURLToPath } from 'node:url'
import asc from 'assemblyscript/asc'

/** The compiler's arguments (besides the output file). */
export const PBR_KERNEL_ASC_ARGS = [
  'node/render/kernel/pbr-resolve.as.ts',
  '-O3', '--runtime', 'stub', '--noAssert',
  // the memory is imported and shared (pbr-kernel.ts): growing it leaves earlier views valid
  '--enable', 'threads', '--importMemory', '--sharedMemory', '--initialMemory', '1', '--maximumMemory', '65536'
]

/** The default output: the committed module. */
export const PBR_KERNEL_WASM = fileURLToPath(new URL('../node/render/kernel/pbr-kernel.wasm', import.meta.url))

/** Compiles the kernel to `out`; throws with the compiler's messages if it fails. */
export async function buildPbrKernel (out: string): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url))
  let messages = ''
  const { error } = await asc.main([...PBR_KERNEL_ASC_ARGS, '--outFile', out, '--baseDir', root], {
    stdout: { write: (s: string) => { messages += s; return true } },
    stderr: { write: (s: string) => { messages += s; return true } }
  })
  if (error !== null && error !== undefined) throw new Error(`pbr kernel build failed: ${error.message}\n${messages}`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildPbrKernel(process.argv[2] ?? PBR_KERNEL_WASM)
}
