/** Types of gltfpack's WebAssembly library (npm `gltfpack`, no bundled types), as the optimizer bench uses it. */
declare module 'gltfpack' {
  /** File access gltfpack performs through the caller. */
  export interface PackInterface {
    read: (path: string) => Uint8Array
    write: (path: string, data: Uint8Array) => void
  }
  /** Runs gltfpack with command-line arguments; resolves with its log. */
  export function pack (args: string[], iface: PackInterface): Promise<string>
}
