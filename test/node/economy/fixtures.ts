/**
 * A real one-validator node (LevelDB, libp2p on 127.0.0.1, optional HTTP API)
 * on the economy module's manual clock, for the economy deferral tests, and a
 * small generated scene to defer.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ApiOptions } from '../../../node/api/server.ts'
import type { EconomyNodeOptions } from '../../../node/economy/options.ts'
import { generateKeyFile, type KeyFile } from '../../../node/keys.ts'
import { createNode, type TrustEngineNode } from '../../../node/node.ts'
import type { TrustEngineNodeApi } from '../../../node/node-api.ts'
import { ManualClock } from '../../../node/optimizer/economy/clock.ts'
import type { JobView, ScheduleView } from '../../../node/types.ts'
import { generateKeyPair } from '../../../protocol/signing.ts'
import { parseNetwork, type NetworkConfig } from '../../../protocol/network.ts'
import { makeGlb } from '../../../sim/scenes.ts'

/** 2026-01-07 is a Wednesday: 10:00 UTC is in the seed calendar's peak tier. */
export const WED_10 = Date.parse('2026-01-07T10:00:00Z')
/** The next economy tier of the default (UTC) calendar after {@link WED_10}. */
export const THU_00 = Date.parse('2026-01-08T00:00:00Z')
/** One hour in ms. */
export const H = 3_600_000

/** A data folder with a key and the one-validator network of that key (or of another key: `validator: false`). */
export interface EconomyTestDir {
  dir: string
  key: KeyFile
  network: NetworkConfig
  clock: ManualClock
  remove: () => Promise<void>
}

/** Makes a fresh data folder, key, network and manual clock at {@link WED_10}. */
export async function economyTestDir (options: { validator?: boolean } = {}): Promise<EconomyTestDir> {
  const dir = await mkdtemp(join(tmpdir(), 'trust-engine-economy-'))
  const key = generateKeyFile(join(dir, 'key.json'))
  const publicKey = options.validator === false ? generateKeyPair().publicKey : key.publicKey
  const network = parseNetwork({ networkId: 'economy-test', protocolVersion: 1, validators: [{ name: 'node1', publicKey, weight: 1 }] })
  return { dir, key, network, clock: new ManualClock(WED_10), remove: async () => { await rm(dir, { recursive: true, force: true }) } }
}

/** Starts a node on `t`'s folder, network and clock. */
export async function startEconomyNode (t: EconomyTestDir, options: { economy?: Partial<EconomyNodeOptions>, api?: Partial<ApiOptions> } = {}): Promise<TrustEngineNode> {
  return await createNode({
    dataDir: t.dir,
    network: t.network,
    logLevel: 'silent',
    clock: t.clock,
    ...(options.economy === undefined ? {} : { economy: options.economy }),
    ...(options.api === undefined ? {} : { api: options.api })
  })
}

/** A small generated scene: one 16 x 16 grid (512 triangles), about a minute of the seed's estimated compute. */
export async function smallScene (): Promise<Uint8Array> {
  return await makeGlb({ grids: [16] })
}

/**
 * Resolves with the schedule once it is no longer `scheduled` (subscribing
 * before reading, so a run that ends in between is not missed).
 */
export async function scheduleFired (node: TrustEngineNodeApi, scheduleId: string): Promise<ScheduleView> {
  return await new Promise<ScheduleView>((resolve, reject) => {
    const off = node.on('schedule:fired', (view) => {
      if (view.scheduleId === scheduleId) { off(); resolve(view) }
    })
    node.getSchedule(scheduleId).then((view) => {
      if (view !== null && view.status !== 'scheduled') { off(); resolve(view) }
    }, (err: unknown) => { off(); reject(err) })
  })
}

/** Resolves with the job's view once it is final or disputed (subscribing before reading). */
export async function jobSettled (node: TrustEngineNodeApi, jobId: string): Promise<JobView> {
  return await new Promise<JobView>((resolve, reject) => {
    const off = node.on('job:final', (view) => {
      if (view.jobId === jobId) { off(); resolve(view) }
    })
    node.getJob(jobId).then((view) => {
      if (view !== null && view.status !== 'pending') { off(); resolve(view) }
    }, (err: unknown) => { off(); reject(err) })
  })
}

/** Kinds of the node's audit entries, in order. */
export async function auditKinds (node: TrustEngineNodeApi): Promise<string[]> {
  return (await node.audit(0, 1000)).entries.map((e) => e.kind)
}
