/**
 * A peer that answers a node's certificate catch-up with certificates no
 * network file of the node's could hold, against a real node process on
 * 127.0.0.1 (node1 of a two-validator network; node2 is not running, so its
 * key plays the Byzantine validator that node1 asks when it admits it).
 *
 * Each certificate is schema-valid, 1000 votes, about 700 KiB, and names
 * another network. Before, a certificate of another network was skipped
 * without a penalty and the node went on reading: it decoded and checked
 * every one, page after page, up to 1024 certificates (about 45 ms of its
 * event loop each, so most of a minute per catch-up, at no cost to the
 * peer). Now a certificate larger than any genuine one of the node's
 * network (`maxCertificateBytesFor`) is refused before decoding, with a
 * penalty, and one of another network ends the peer's answer.
 */
import { describe, expect, it } from 'vitest'
import { buildCertificate, canonicalEncode, maxCertificateBytesFor, tally } from '../../protocol/index.ts'
import { serveCertificates } from '../../node/p2p/certificate-sync.ts'
import { Cluster, waitFor } from '../../sim/cluster.ts'
import { GOOD, T0, makeJob, makeNetwork, makeVote, seedCertOf } from '../protocol/fixtures.ts'
import { rogueNetwork } from '../helpers/rogue-network.ts'

/** Certificates the rogue has ready to serve. */
const SERVED = 20

async function metric (cluster: Cluster, name: string, label: string): Promise<number> {
  const text = await (await fetch(`${cluster.entry('node1').apiUrl}/metrics`)).text()
  let sum = 0
  for (const line of text.split('\n')) if (line.startsWith(name + '{') && line.includes(label)) sum += Number(line.slice(line.lastIndexOf(' ') + 1))
  return sum
}

/** A schema-valid certificate of another network, padded to 1000 votes, with job id `i`. */
function paddedCertificate (i: number): Uint8Array {
  const { network, keys } = makeNetwork([1, 1, 1, 1], {}, 'elsewhere')
  const job = makeJob(network, keys[0]!)
  const votes = [0, 1, 2, 3].map((k) => makeVote(network, job, keys[k]!, GOOD))
  const cert = buildCertificate(network, job, tally({ network, job, votes, reputations: new Map(), now: T0 + 1 }), votes, seedCertOf(network, job))
  const padded = { ...cert, jobId: i.toString(16).padStart(64, '0'), votes: Array.from({ length: 1000 }, (_, v) => ({ ...votes[0]!, voter: v.toString(16).padStart(64, '0') })) }
  return canonicalEncode(padded)
}

describe('certificate catch-up from a peer that serves oversized certificates', () => {
  const net = rogueNetwork(2)

  it('refuses the first before decoding it and reads nothing more from that peer', async () => {
    const { cluster, network } = net
    const certificates = Array.from({ length: SERVED }, (_, i) => paddedCertificate(i + 1))
    expect(certificates[0]!.byteLength).toBeGreaterThan(maxCertificateBytesFor(network))
    let requests = 0
    const rogue = await net.rogue('node2')
    await serveCertificates(rogue, {
      list: () => { requests++; return certificates.map((_, i) => (i + 1).toString(16).padStart(64, '0')) },
      load: async (jobId) => certificates[Number.parseInt(jobId, 16) - 1] ?? null
    })
    await rogue.start()
    await waitFor(async () => requests > 0, 'node1 asks the rogue for certificates')
    // Let node1 read what it will: wait until no new request came for two seconds (bounded by waitFor's tries).
    let last = -1
    await waitFor(async () => {
      if (requests === last) return true
      last = requests
      await new Promise((r) => setTimeout(r, 2000))
      return false
    }, 'node1 stops asking')
    expect(requests).toBe(1)
    expect(await metric(cluster, 'trust_engine_peer_offences_total', 'code="ERR_TOO_LARGE"')).toBe(1)
  })
})
