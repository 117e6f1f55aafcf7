/** Topic names and protocol ids carry the network id and protocol version. */
import { describe, expect, it } from 'vitest'
import { ERR_P2P_OPTIONS, ERR_UNKNOWN_TOPIC, networkProtocolId, networkTopics, topicKind } from '../../../node/p2p/index.ts'

describe('topics', () => {
  it('names the four topics of a network', () => {
    expect(networkTopics('mainnet')).toEqual({
      jobs: '/trust-engine/1/mainnet/jobs',
      votes: '/trust-engine/1/mainnet/votes',
      evidence: '/trust-engine/1/mainnet/evidence',
      seeds: '/trust-engine/1/mainnet/seeds'
    })
    expect(networkTopics('mainnet', 2).votes).toBe('/trust-engine/2/mainnet/votes')
    expect(networkProtocolId('mainnet')).toBe('/trust-engine/net/mainnet/1.0.0')
  })

  it('maps a topic back to its kind, and refuses others', () => {
    const t = networkTopics('net-a')
    expect(topicKind(t, '/trust-engine/1/net-a/evidence')).toBe('evidence')
    expect(() => topicKind(t, '/trust-engine/1/net-b/evidence')).toThrow(expect.objectContaining({ code: ERR_UNKNOWN_TOPIC }))
  })

  it('refuses network ids that could break a topic or protocol id', () => {
    for (const bad of ['', 'a/b', 'Main', 'x'.repeat(64), '-lead']) {
      expect(() => networkTopics(bad)).toThrow(expect.objectContaining({ code: ERR_P2P_OPTIONS }))
      expect(() => networkProtocolId(bad)).toThrow(expect.objectContaining({ code: ERR_P2P_OPTIONS }))
    }
  })
})
