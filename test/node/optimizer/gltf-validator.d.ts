/** Types of the part of the Khronos glTF validator (npm `gltf-validator`, no bundled types) that the tests use. */
declare module 'gltf-validator' {
  /** One issue of a validation report; severity 0 is an error. */
  export interface ValidationMessage { code: string, message: string, severity: number, pointer?: string }
  /** The validation report. */
  export interface ValidationReport { issues: { numErrors: number, numWarnings: number, messages: ValidationMessage[] } }
  /** Validates glTF or GLB bytes. */
  export function validateBytes (data: Uint8Array, options?: Record<string, unknown>): Promise<ValidationReport>
  const validator: { validateBytes: typeof validateBytes }
  export default validator
}
