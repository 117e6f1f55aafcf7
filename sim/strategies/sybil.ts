/**
 * `sybil`: a validator whose process also runs `identities` libp2p hosts
 * with keys outside the validator set (derived from the seed), on the same
 * network id. They connect to every node the validator bootstraps to, and on
 * every job the validator accepts each signs and publishes a vote claiming a
 * perfect candidate. Honest nodes must REJECT those votes (the signer is not
 * a validator), never count them, and keep deciding; the validator itself
 * votes honestly. Run by the node host (sim/node-host.ts).
 */
import { DEFAULT_MEASUREMENT_ENGINE } from '../../protocol/constants.ts'
import { canonicalEncode } from '../../protocol/canonical.ts'
import { newVote, signVote } from '../../protocol/vote.ts'
import { libp2pPrivateKey } from '../../node/keys.ts'
import type { TrustEngineNode } from '../../node/node.ts'
import { createHost, type Host } from '../../node/p2p/host.ts'
import { keyPairFor } from '../seed.ts'

/** Starts the sybil identities of `node`; resolves to a function that stops them. */
export async function startSybils (node: TrustEngineNode, opts: { seed: string, name: string, identities: number, bootstrap: string[] }): Promise<() => Promise<void>> {
  const info = node.info()
  const own = info.listenAddresses.map((a) => a.includes('/p2p/') ? a : `${a}/p2p/${info.peerId}`)
  const hosts: Array<{ host: Host, key: { publicKey: string, privateKey: string } }> = []
  for (let i = 0; i < opts.identities; i++) {
    const key = keyPairFor(opts.seed, `${opts.name}-sybil-${i}`)
    const host = await createHost({ privateKey: libp2pPrivateKey({ type: 'ed25519', ...key }), networkId: info.networkId, bootstrap: [...own, ...opts.bootstrap] })
    for (const topic of Object.values(host.topics)) {
      // It passes on whatever it receives, as a peer that wants to stay in its peers' meshes does.
      host.gossip.setValidator(topic, () => {})
      host.gossip.subscribe(topic)
    }
    await host.start()
    hosts.push({ host, key })
  }
  const off = node.on('job:accepted', (view) => {
    for (const { host, key } of hosts) {
      const vote = signVote(newVote({
        networkId: info.networkId,
        // Junk votes: what they name besides the network id is never checked before they are refused.
        networkDigest: '00'.repeat(32), engine: DEFAULT_MEASUREMENT_ENGINE, seed: '00'.repeat(32),
        jobId: view.jobId,
        round: view.round,
        voter: key.publicKey,
        metrics: { ssim: 1, psnr: Infinity, ssimLocal: 1 },
        intervals: { ssim: [1, 1], psnr: [Infinity, Infinity], ssimLocal: [1, 1] },
        samples: 10
      }), key.privateKey)
      void host.gossip.publish(host.topics.votes, canonicalEncode(vote)).catch(() => 0)
    }
  })
  return async () => {
    off()
    await Promise.all(hosts.map(async (h) => await h.host.stop()))
  }
}
