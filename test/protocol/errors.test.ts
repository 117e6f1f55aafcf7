/**
 * Error actions and declarations: a code's gossip action and HTTP status are
 * declared with it; an undeclared code is a local failure (IGNORE, 500), so
 * a node never penalises a peer for its own trouble (a store I/O error).
 */
import { describe, expect, it } from 'vitest'
import { ERR_STORE_CLOSED } from '../../node/store/errors.ts'
import { ERR_BAD_SIGNATURE } from '../../protocol/signing.ts'
import { ERR_SCHEMA } from '../../protocol/decode.ts'
import { TrustEngineError, codeDeclaration, declareCode } from '../../protocol/errors.ts'

describe('TrustEngineError actions', () => {
  it('defaults to ignore for a code declared without an action and for an undeclared code', () => {
    expect(new TrustEngineError(ERR_STORE_CLOSED, 'store closed').action).toBe('ignore')
    expect(new TrustEngineError('ERR_TEST_UNDECLARED', 'local failure').action).toBe('ignore')
  })

  it('takes the declared action of codes that prove an invalid message', () => {
    expect(new TrustEngineError(ERR_BAD_SIGNATURE, 'bad signature').action).toBe('reject')
    expect(new TrustEngineError(ERR_SCHEMA, 'bad schema').action).toBe('reject')
  })

  it('lets the thrower override the declared action', () => {
    expect(new TrustEngineError(ERR_SCHEMA, 'stale', { action: 'ignore' }).action).toBe('ignore')
  })

  it('declares a code once: the same meaning again is fine, a different one throws', () => {
    expect(declareCode('ERR_TEST_DECLARED', { status: 409 })).toBe('ERR_TEST_DECLARED')
    expect(declareCode('ERR_TEST_DECLARED', { status: 409 })).toBe('ERR_TEST_DECLARED')
    expect(codeDeclaration('ERR_TEST_DECLARED')).toEqual({ action: 'ignore', status: 409 })
    expect(() => declareCode('ERR_TEST_DECLARED', { status: 400 })).toThrow(Error)
  })
})
