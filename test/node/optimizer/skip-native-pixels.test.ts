import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const child = fileURLToPath(new URL('./skip-native-pixels-child.ts', import.meta.url))
const run = (mode: 'on' | 'off'): { sharp: boolean, sha256: string } => JSON.parse(execFileSync(process.execPath, [child, mode], { encoding: 'utf8' }))

describe('skipNativePixels', () => {
  it('keeps sharp out of a process that optimizes a textured scene, with the same output bytes', () => {
    const on = run('on')
    const off = run('off')
    expect(off.sharp).toBe(true)
    expect(on.sharp).toBe(false)
    expect(on.sha256).toBe(off.sha256)
  })
})
