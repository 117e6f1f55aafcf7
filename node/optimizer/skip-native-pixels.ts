/**
 * Start-up: glTF-Transform's functions package imports `ndarray-pixels`,
 * whose Node build loads sharp (a native image library, about 0.3 s) when the
 * optimizer is imported, in every `trust-engine optimize` and in every node
 * that optimizes a scene job. The optimizer never decodes pixels through it,
 * and an output that depended on a platform binary would break determinism
 * anyway, so the CLI registers this synchronous resolve hook before it loads
 * any command: `ndarray-pixels` imported from `@gltf-transform/functions`
 * resolves to pixels-stub.ts, and sharp is never loaded.
 */
import { registerHooks } from 'node:module'

const STUB_URL = new URL('./pixels-stub.ts', import.meta.url).href
let registered = false

/** Registers the hook in this thread (once; later calls do nothing). */
export function skipNativePixels (): void {
  if (registered) return
  registered = true
  registerHooks({
    resolve (specifier, context, next) {
      if (specifier === 'ndarray-pixels' && context.parentURL?.includes('/@gltf-transform/functions/') === true) return { url: STUB_URL, shortCircuit: true }
      return next(specifier, context)
    }
  })
}
