/**
 * Synchronous loading of the Emscripten codecs built to WebAssembly (libwebp
 * and mozjpeg, the Squoosh builds repackaged as `@jsquash/*`), so that the
 * decoders and encoders keep the synchronous signatures of the other codecs.
 *
 * Each package ships its `.wasm` beside its JavaScript glue; the file is read
 * from the installed package and compiled here once per thread, never
 * fetched. Only the plain (non-SIMD) builds are loaded, so every node runs
 * the same WebAssembly code whatever its CPU and engine: WebAssembly is
 * deterministic for the integer and IEEE arithmetic these libraries use, and
 * no threads are used.
 *
 * A dropped instance must be collectable at once: a decoder that drops
 * instances to give their memory back (jpeg-decode.ts) may decode several
 * large images in one synchronous turn (a scene's textures). So nothing is
 * attached to the readiness promise of an instance that started (a reaction
 * to a fulfilled promise is a queued job holding the instance until the turn
 * ends: four 4096² JPEG decodes in one turn held 545 MB instead of about
 * one instance's memory; test/node/image/wasm-release-child.ts).
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

type Factory = (module: Record<string, unknown>) => Promise<unknown>

/** The synchronous part of the WebAssembly JS API used here (the project's type library has no DOM types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: object }
  Memory: new (descriptor: { initial: number }) => WasmMemory
}

/** A WebAssembly linear memory, as far as it is used here. */
interface WasmMemory {
  grow: (pages: number) => number
  buffer: ArrayBuffer
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

const load = createRequire(import.meta.url)
const compiledModules = new Map<string, object>()
/** Per instance made here: how many times the host refused to grow its linear memory. */
const refusedGrowths = new WeakMap<object, { count: number }>()

/** Where an instance's messages go: libjpeg and libwebp write warnings and errors to stderr through these. */
export interface WasmOutput {
  print?: (text: string) => void
  printErr?: (text: string) => void
}

/**
 * Instantiates the Emscripten module at `path` (a package path without
 * extension) synchronously: the factory receives the compiled module
 * through `instantiateWasm` and fills in its exports before it returns
 * (Emscripten writes them onto the object it is given). The compiled module
 * is kept, so a second instance (with fresh memory) costs only its
 * instantiation. `output` receives what the library would print.
 */
export function instantiateEmscripten<T> (path: string, output: WasmOutput = {}): T {
  const factory = (load(`${path}.js`) as { default: Factory }).default
  let compiled = compiledModules.get(path)
  if (compiled === undefined) {
    compiled = new wasm.Module(readFileSync(load.resolve(`${path}.wasm`)))
    compiledModules.set(path, compiled)
  }
  const refused = { count: 0 }
  const target: Record<string, unknown> = {
    noInitialRun: true,
    print: output.print ?? (() => {}),
    printErr: output.printErr ?? (() => {}),
    instantiateWasm: (imports: object, done: (instance: { exports: object }) => void) => {
      const instance = new wasm.Instance(compiled, imports)
      watchGrowth(instance.exports, refused)
      done(instance)
      return instance.exports
    }
  }
  refusedGrowths.set(target, refused)
  const ready = factory(target)
  if (typeof target.decode !== 'function' && typeof target.encode !== 'function') {
    ready.catch(() => undefined) // a failed start rejects its readiness promise
    throw new Error(`${path}: WebAssembly module did not initialise`)
  }
  // Started: the readiness promise is already fulfilled (a later abort cannot reject it). No reaction is
  // attached to it, since a reaction would be a job holding the instance until the current turn ends.
  return target as T
}

/**
 * Counts, in `refused`, the calls in which the host refuses to grow the
 * instance's exported memory. Emscripten's glue asks for no more than the
 * build's maximum and takes a refusal as malloc failing (libjpeg then
 * aborts, libwebp returns no image), which would look like a bad image; a
 * refusal below the maximum is this machine running out of memory, not the
 * image's fault (see {@link memoryRefused}).
 */
function watchGrowth (exports: object, refused: { count: number }): void {
  for (const value of Object.values(exports)) {
    if (!(value instanceof (wasm.Memory as unknown as new () => object))) continue
    const memory = value as WasmMemory
    const grow = memory.grow
    memory.grow = (pages: number): number => {
      try {
        return grow.call(memory, pages)
      } catch (err) {
        refused.count++
        throw err
      }
    }
  }
}

/**
 * Whether the host refused, at least once, to grow the linear memory of an
 * instance made by {@link instantiateEmscripten}: the machine had no memory
 * for it. A decode that failed after such a refusal failed for the node's
 * own reason, and may succeed on another node or later.
 */
export function memoryRefused (instance: object): boolean {
  return (refusedGrowths.get(instance)?.count ?? 0) > 0
}

/**
 * A decoder instance whose memory grew past this is dropped after its decode
 * (64 MiB: a 4096² image's pixels and buffers); WebAssembly memory only grows.
 */
export const KEEP_MEMORY_BYTES = 64 * 1024 * 1024

/** Bytes of linear memory an instance made by {@link instantiateEmscripten} holds now. */
export function wasmMemoryBytes (instance: object): number {
  const heap = (instance as { HEAPU8?: Uint8Array }).HEAPU8
  return heap === undefined ? 0 : heap.buffer.byteLength
}
