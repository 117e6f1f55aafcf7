/**
 * The physically based shade and deferred resolve in WebAssembly:
 * `kernel/pbr-kernel.wasm`, compiled by scripts/build-pbr-kernel.ts from
 * `kernel/*.as.ts` (AssemblyScript), a transcription of `PbrShader.shade`
 * with its texel fetch, clearcoat layer and tables and of `resolveToRgba8`
 * (deferred.ts), the same float64 operations in the same order
 * (WebAssembly, like JavaScript, rounds every operation to float64 and
 * fuses none), so a fragment and a pixel are the same bits either way
 * (docs/renderer.md, "The WebAssembly kernel").
 *
 * The kernel reads everything from its linear memory: the tables, and per
 * shader a block (material, environment, lights, pointers to the vertex
 * arrays and to the fetch description with its packed texture levels, the
 * selected triangle; shading-wasm.ts), and for a resolve the deferred
 * buffers (deferred-wasm.ts). The memory is one bump arena per thread:
 * textures and static vertex arrays stay while the arena lasts (keyed by
 * the arrays themselves), the camera-space arrays of a render are copied in
 * when its shaders are made; when the arena holds more than
 * {@link ARENA_SOFT_CAP} at the start of a render it is emptied.
 */
import { readFileSync } from 'node:fs'
import { EXP } from './brdf-tables.ts'
import { ENCODE_START, THRESHOLDS } from './color.ts'
import { LOG2_TABLE } from './det-math.ts'
import { G1, G2 } from './environment.ts'

const PAGE = 65536
/** Fixed areas: tables, the output fragment, the texels and UV scratch. */
const G1_AT = 0
const G2_AT = G1_AT + 1025 * 8
const EXP_AT = G2_AT + 1025 * 8
const LOG2_AT = EXP_AT + 1025 * 8
const OUT_AT = LOG2_AT + 257 * 8
const TV_AT = OUT_AT + 8 * 8
const UVS_AT = TV_AT + 40 * 8
const THR_AT = UVS_AT + 20 * 8
const ENC_AT = THR_AT + 255 * 8
const SCRATCH_AT = ENC_AT + 16392
const ARENA_START = 65536
/** Arena size past which it is emptied at the start of a render. */
export const ARENA_SOFT_CAP = 64 * 1024 * 1024

/** The synchronous part of the WebAssembly JS API used here (the project's type library has no DOM types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: object }
  Memory: new (descriptor: { initial: number, maximum: number, shared: boolean }) => WasmMemory
}

/** A shared WebAssembly linear memory, as far as it is used here. */
interface WasmMemory {
  grow: (pages: number) => number
  buffer: SharedArrayBuffer
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

interface KernelExports {
  init: (g1: number, g2: number, expt: number, log2t: number, out: number, tv: number, uvs: number) => void
  initEncode: (thr: number, enc: number) => void
  shade: (sp: number, b0: number, b1: number, b2: number, w: number, lodBias: number) => void
  resolve: (y0: number, y1: number, W: number, ow: number, ss: number, item: number, tri: number, bary: number, depth: number, bias: number, bg: number, scratch: number, data: number) => void
}

/** Most pages of the kernel's memory (4 GiB, WebAssembly's 32-bit limit): shared memory declares its maximum; it is reserved, not used. */
const MAX_PAGES = 65536
/** Bytes the kernel's memory may not pass: its maximum. */
const MAX_BYTES = MAX_PAGES * PAGE

/** Thrown when the kernel's memory cannot hold what a render needs (renderScene then renders it in JavaScript). */
export class KernelMemoryError extends Error {}

/** The deferred buffers of a framebuffer in the kernel's memory, and their offsets. */
export interface KernelFramebufferStorage {
  depth: Float64Array
  item: Int32Array
  tri: Int32Array
  bary: Float64Array
  depthAt: number
  itemAt: number
  triAt: number
  baryAt: number
}

/** The kernel's instance and its arena (one per thread). */
export class PbrKernel {
  readonly exports: KernelExports
  private readonly memory: WasmMemory
  /** Views of the memory (renewed when it grows). */
  f64: Float64Array = new Float64Array(0)
  u16: Uint16Array = new Uint16Array(0)
  u8: Uint8Array = new Uint8Array(0)
  private top = ARENA_START
  /** Arena generation: cached placements of other generations are stale. */
  private generation = 0
  private readonly placed = new WeakMap<object, { generation: number, at: number }>()

  /** What the kernel's `select` import calls during a resolve (deferred-wasm.ts). */
  selectTriangle: (it: number, t: number) => number = () => { throw new Error('no resolve in progress') }

  constructor (module: object) {
    // shared memory: growing it leaves the views made before valid (an unshared memory would detach them)
    this.memory = new wasm.Memory({ initial: 1, maximum: MAX_PAGES, shared: true })
    const instance = new wasm.Instance(module, { env: { memory: this.memory }, kernel: { select: (it: number, t: number) => this.selectTriangle(it, t) } })
    this.exports = instance.exports as unknown as KernelExports
    this.ensure(ARENA_START)
    this.f64.set(G1, G1_AT / 8); this.f64.set(G2, G2_AT / 8); this.f64.set(EXP, EXP_AT / 8); this.f64.set(LOG2_TABLE, LOG2_AT / 8)
    this.exports.init(G1_AT, G2_AT, EXP_AT, LOG2_AT, OUT_AT, TV_AT, UVS_AT)
    this.f64.set(THRESHOLDS, THR_AT / 8); this.u8.set(ENCODE_START, ENC_AT)
    this.exports.initEncode(THR_AT, ENC_AT)
  }

  /** Scratch of a resolve: the bias table (17 f64), the background (3 f64), the pixel's samples and groups (512 bytes). */
  readonly biasAt = SCRATCH_AT
  readonly bgAt = SCRATCH_AT + 20 * 8
  readonly scratchAt = SCRATCH_AT + 24 * 8

  private fb: { generation: number, at: number, n: number } | null = null

  /** Deferred buffers of n samples in the arena (kept for the next render while the arena lasts). */
  framebufferStorage (n: number): KernelFramebufferStorage {
    let fb = this.fb
    if (fb === null || fb.generation !== this.generation || fb.n < n) {
      fb = { generation: this.generation, at: this.alloc(n * 48), n }
      this.fb = fb
    }
    const buf = this.memory.buffer
    const depthAt = fb.at; const baryAt = depthAt + fb.n * 8; const itemAt = baryAt + fb.n * 24; const triAt = itemAt + fb.n * 4
    return {
      depth: new Float64Array(buf, depthAt, n), bary: new Float64Array(buf, baryAt, n * 3), item: new Int32Array(buf, itemAt, n), tri: new Int32Array(buf, triAt, n),
      depthAt, baryAt, itemAt, triAt
    }
  }

  private out: { generation: number, at: number, n: number } | null = null

  /** Where a resolve writes n output bytes in the arena (reused while large enough; 8-byte aligned). */
  outputAt (n: number): number {
    let o = this.out
    if (o === null || o.generation !== this.generation || o.n < n) { o = { generation: this.generation, at: this.alloc(n), n }; this.out = o }
    return o.at
  }

  /**
   * A copy of the n bytes at `at` (8-byte aligned) in a fresh array: copied
   * as float64 words (copies out of shared memory go element by element,
   * so eight bytes at a time is several times faster than one), then the
   * tail.
   */
  bytes (at: number, n: number): Uint8Array {
    const data = new Uint8Array(n)
    const words = Math.floor(n / 8)
    new Float64Array(data.buffer, 0, words).set(this.f64.subarray(at / 8, at / 8 + words))
    for (let i = words * 8; i < n; i++) data[i] = this.u8[at + i]!
    return data
  }

  /** Offset of the output fragment in f64 elements. */
  readonly outIndex = OUT_AT / 8

  private ensure (end: number): void {
    const have = this.memory.buffer.byteLength
    if (end > have) {
      try {
        this.memory.grow(Math.ceil((end - have) / PAGE))
      } catch {
        this.top = ARENA_START; this.generation++ // nothing placed so far stays valid: empty the arena
        throw new KernelMemoryError(`the PBR kernel's memory cannot grow to ${end} bytes`)
      }
    }
    if (this.f64.buffer !== this.memory.buffer || this.f64.length * 8 !== this.memory.buffer.byteLength) {
      this.f64 = new Float64Array(this.memory.buffer)
      this.u16 = new Uint16Array(this.memory.buffer)
      this.u8 = new Uint8Array(this.memory.buffer)
    }
  }

  /** Called at the start of a render: empties the arena when it has grown past the soft cap. */
  beginRender (): void {
    if (this.top > ARENA_SOFT_CAP) { this.top = ARENA_START; this.generation++ }
  }

  /** Reserves `bytes` (8-byte aligned) and returns the offset. */
  alloc (bytes: number): number {
    const at = this.top
    const end = at + Math.ceil(bytes / 8) * 8
    if (end > MAX_BYTES) { this.top = ARENA_START; this.generation++; throw new KernelMemoryError(`the PBR kernel's memory cannot hold ${end} bytes`) }
    this.top = end
    this.ensure(end)
    return at
  }

  /** Copies a float64 array into the arena (every time) and returns its offset. */
  copyF64 (a: Float64Array): number {
    const at = this.alloc(a.length * 8)
    this.f64.set(a, at / 8)
    return at
  }

  /** Offset of a copy of `a` that stays while the arena lasts (copied at its first use). */
  placeF64 (a: Float64Array): number {
    const p = this.placed.get(a)
    if (p !== undefined && p.generation === this.generation) return p.at
    const at = this.copyF64(a)
    this.placed.set(a, { generation: this.generation, at })
    return at
  }

  /** Like {@link placeF64}, for 16-bit texel data. */
  placeU16 (a: Uint16Array): number {
    const p = this.placed.get(a)
    if (p !== undefined && p.generation === this.generation) return p.at
    const at = this.alloc(a.length * 2)
    this.u16.set(a, at / 2)
    this.placed.set(a, { generation: this.generation, at })
    return at
  }
}

let kernel: PbrKernel | null = null

/** The thread's kernel, instantiated at its first use. */
export function pbrKernel (): PbrKernel {
  if (kernel === null) {
    const bytes = readFileSync(new URL('./kernel/pbr-kernel.wasm', import.meta.url))
    kernel = new PbrKernel(new wasm.Module(bytes))
  }
  return kernel
}
