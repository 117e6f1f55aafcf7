/**
 * ECVRF seed shares (protocol/vrf/ecvrf.ts): proofs and verifications per
 * second with libsodium's native arithmetic, beside the BigInt
 * reference path (@noble/curves only) on the same keys and inputs in the
 * same run, and beside raw node:crypto ed25519 verification. Every node
 * proves one share and verifies every validator's share of every job, so
 * these set the CPU cost of the seed phase.
 */
import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto'
import { sha256Hex } from '../../protocol/hash.ts'
import { publicKeyOf } from '../../protocol/signing.ts'
import { vrfProve, vrfProveReference, vrfVerify, vrfVerifyReference } from '../../protocol/vrf/ecvrf.ts'
import { type BenchResult, type BenchSuite, measureRate, median, result } from './types.ts'

const KEYS = 10
const INPUTS = 40
/** Interleaved rounds (each: warm-up and one timed pass of every variant). */
const ROUNDS = 5

/** The ECVRF suite (see the module comment). */
export const vrfSuite: BenchSuite = {
  name: 'vrf',
  async run (): Promise<BenchResult[]> {
    const keys = Array.from({ length: KEYS }, (_, i) => {
      const privateKey = sha256Hex(`bench vrf key ${i}`)
      return { privateKey, publicKey: publicKeyOf(privateKey) }
    })
    const alphas = Array.from({ length: INPUTS }, (_, i) => new TextEncoder().encode(`trust-engine/v1/seed/bench\n${sha256Hex(`job ${i}`)}`))
    const proofs = alphas.map((a, i) => vrfProve(keys[i % KEYS]!.privateKey, a))
    const outputs = alphas.map((a, i) => vrfVerifyReference(keys[i % KEYS]!.publicKey, a, proofs[i]!))
    // Baseline: ed25519 signatures over the same inputs, the key object reused.
    const { privateKey: signer } = generateKeyPairSync('ed25519')
    const sigs = alphas.map((a) => sign(null, a, signer))
    const signerPublic = createPublicKey(signer)

    const check = (verifyFn: typeof vrfVerify) => () => {
      for (let i = 0; i < INPUTS; i++) if (verifyFn(keys[i % KEYS]!.publicKey, alphas[i]!, proofs[i]!) !== outputs[i]) throw new Error('vrf: an output differs')
    }
    const proveAll = (proveFn: typeof vrfProve) => () => {
      for (let i = 0; i < INPUTS; i++) if (proveFn(keys[i % KEYS]!.privateKey, alphas[i]!) !== proofs[i]) throw new Error('vrf: a proof differs')
    }
    const raw = () => {
      for (let i = 0; i < INPUTS; i++) if (!verify(null, alphas[i]!, signerPublic, sigs[i]!)) throw new Error('baseline: a signature did not verify')
    }
    const rates = { verify: [] as number[], verifyRef: [] as number[], prove: [] as number[], proveRef: [] as number[], raw: [] as number[] }
    const variants: Array<[number[], () => void]> = [
      [rates.verify, check(vrfVerify)], [rates.verifyRef, check(vrfVerifyReference)],
      [rates.prove, proveAll(vrfProve)], [rates.proveRef, proveAll(vrfProveReference)], [rates.raw, raw]
    ]
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < variants.length; k++) {
        const [into, fn] = variants[(round + k) % variants.length]!
        into.push(await measureRate(INPUTS, fn, 1))
      }
    }
    const ms = (rate: number): number => 1000 / rate
    return [
      result('ECVRF verify, native products (ms per share)', ms(median(rates.verify)), 'ms', 'ECVRF verify, BigInt reference', ms(median(rates.verifyRef))),
      result('ECVRF prove, native products (ms per share)', ms(median(rates.prove)), 'ms', 'ECVRF prove, BigInt reference', ms(median(rates.proveRef))),
      result('ECVRF verify, native products (ms per share)', ms(median(rates.verify)), 'ms', 'raw node:crypto ed25519 verify', ms(median(rates.raw)))
    ]
  }
}
