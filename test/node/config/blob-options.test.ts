/** The blob storage options of a node process: the config file's `blobs` object, checked at the edge and merged field by field. */
import { describe, expect, it } from 'vitest'
import { ERR_CONFIG_INVALID, configFileToOptions, parseConfigFile } from '../../../node/config/config-file.ts'
import { DEFAULT_NODE_OPTIONS, ERR_OPTIONS_INVALID, resolveNodeOptions } from '../../../node/config/node-options.ts'

const bytes = (o: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(o))
const codeOf = (fn: () => unknown): string | undefined => {
  try { fn(); return undefined } catch (err) { return (err as { code?: string }).code }
}

describe('blob storage options', () => {
  it('come from the config file, later sources winning field by field, absent fields left to their defaults', () => {
    const file = parseConfigFile(bytes({ blobs: { maxTotalBytes: 1e9, uploadGraceMs: 7_200_000 } }))
    expect(resolveNodeOptions([configFileToOptions(file)], '/x').blobs).toEqual({ maxTotalBytes: 1e9, uploadGraceMs: 7_200_000 })
    expect(resolveNodeOptions([configFileToOptions(file), { blobs: { maxPendingBytesPerUploader: 1024, uploadGraceMs: 60_000 } }], '/x').blobs)
      .toEqual({ maxTotalBytes: 1e9, maxPendingBytesPerUploader: 1024, uploadGraceMs: 60_000 })
    expect(DEFAULT_NODE_OPTIONS.blobs).toEqual({})
  })

  it('refuses unknown fields and values that are not positive integers', () => {
    expect(codeOf(() => parseConfigFile(bytes({ blobs: { maxPendingBytes: 5 } })))).toBe(ERR_CONFIG_INVALID)
    expect(codeOf(() => parseConfigFile(bytes({ blobs: { uploadGraceMs: 0 } })))).toBe(ERR_CONFIG_INVALID)
    expect(codeOf(() => parseConfigFile(bytes({ blobs: { maxTotalBytes: 1.5 } })))).toBe(ERR_CONFIG_INVALID)
    expect(codeOf(() => resolveNodeOptions([{ blobs: { sweepIntervalMs: -1 } }], '/x'))).toBe(ERR_OPTIONS_INVALID)
  })
})
