/** The CLI's line for an error that is no TrustEngineError (node/cli/main.ts). */
import { describe, expect, it } from 'vitest'
import { ERR_UNEXPECTED, unexpectedErrorText } from '../../../node/cli/main.ts'

describe('unexpectedErrorText', () => {
  it('is one line of bounded length naming the error, with the stack and causes only under TRUST_ENGINE_DEBUG=1', () => {
    const code = Object.assign(new Error('listen failed'), { code: 'EPERM' })
    expect(unexpectedErrorText(code, {})).toMatch(/^error ERR_UNEXPECTED: Error \[EPERM\]: listen failed at /)
    const err = new TypeError(`cannot read ${'x'.repeat(5000)}\nsecond line`, { cause: new RangeError('inner') })
    const text = unexpectedErrorText(err, {})
    // Where it was thrown: this file, from the stack's first frame.
    expect(text.split('\n')).toEqual([expect.stringMatching(new RegExp(`^error ${ERR_UNEXPECTED}: TypeError: cannot read x+… at \\S*unexpected-error\\.test\\.ts:\\d+:\\d+ \\(TRUST_ENGINE_DEBUG=1 prints its stack\\)$`)), ''])
    expect(text.length).toBeLessThan(700)
    const debug = unexpectedErrorText(err, { TRUST_ENGINE_DEBUG: '1' })
    expect(debug).toMatch(/^error ERR_UNEXPECTED: TypeError: cannot read x+… at \S+\n/)
    expect(debug).toContain('    at ')
    expect(debug).toContain('caused by: RangeError: inner')
  })

  it('prints values that are not errors, even one whose toString throws', () => {
    expect(unexpectedErrorText('plain string', {})).toMatch(/^error ERR_UNEXPECTED: plain string \(/)
    expect(unexpectedErrorText(Symbol('s'), {})).toMatch(/^error ERR_UNEXPECTED: Symbol\(s\) \(/)
    const hostile = { toString: () => { throw new Error('no') } }
    expect(unexpectedErrorText(hostile, {})).toMatch(/^error ERR_UNEXPECTED: \(a value that cannot be printed\) \(/)
  })
})
