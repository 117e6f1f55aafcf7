/** `trust-engine network init`: files, keys, ports, configs, overwrite rule. */
import { readFile, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initNetwork, type NodesFile } from '../../../node/cli/commands/network-init.ts'
import { ephemeralPortRange, FREE_PORT_LOW } from '../../../node/cli/free-ports.ts'
import { loadConfigFile } from '../../../node/config/config-file.ts'
import { loadKeyFile, peerIdOf } from '../../../node/keys.ts'
import { sha256Hex } from '../../../protocol/hash.ts'
import { parseNetwork } from '../../../protocol/network.ts'
import { runCliProcess } from './run-cli.ts'

let root: string
beforeAll(async () => { root = await mkdtemp(join(tmpdir(), 'trust-engine-init-')) })
afterAll(async () => { await rm(root, { recursive: true, force: true }) })

async function readJson (path: string): Promise<any> {
  return JSON.parse(await readFile(path, 'utf8'))
}

describe('initNetwork', () => {
  let dir: string
  let nodes: NodesFile
  beforeAll(async () => {
    dir = join(root, 'four')
    nodes = await initNetwork({ nodes: 4, out: dir })
  })

  it('makes owner-only folders (0700) and key files (0600) whatever the umask', async () => {
    expect((await stat(dir)).mode & 0o777).toBe(0o700)
    for (const n of ['node1', 'node2', 'node3', 'node4']) {
      expect((await stat(join(dir, n))).mode & 0o777).toBe(0o700)
      expect((await stat(join(dir, n, 'key.json'))).mode & 0o777).toBe(0o600)
    }
  })

  it('writes a valid network file with one weight-1 validator per node and the protocol defaults', async () => {
    const network = parseNetwork(await readFile(join(dir, 'network.json')))
    expect(network.validators.map((v) => [v.name, v.weight])).toEqual([['node1', 1], ['node2', 1], ['node3', 1], ['node4', 1]])
    const defaults = parseNetwork({ networkId: 'x', protocolVersion: 1, validators: [network.validators[0]!] })
    expect(network.thresholds).toEqual(defaults.thresholds)
    expect(network.deadlines).toEqual(defaults.deadlines)
    expect(network.reputation).toEqual(defaults.reputation)
    // The floor of job thresholds is the default thresholds: jobs of this network may only be stricter.
    expect(defaults.minThresholds).toBeUndefined()
    expect(network.minThresholds).toEqual(defaults.thresholds)
    const keys = network.validators.map((v) => v.publicKey).sort()
    expect(network.networkId).toBe(`local-${sha256Hex(keys.join('')).slice(0, 8)}`)
    expect(nodes.networkId).toBe(network.networkId)
  })

  it('writes keys whose public keys and peer ids are the listed ones', async () => {
    const network = parseNetwork(await readFile(join(dir, 'network.json')))
    for (const [i, entry] of nodes.nodes.entries()) {
      const key = loadKeyFile(join(dir, entry.name, 'key.json'))
      expect(key.publicKey).toBe(entry.publicKey)
      expect(network.validators[i]!.publicKey).toBe(key.publicKey)
      expect(entry.peerId).toBe(peerIdOf(key.publicKey).toString())
      expect(entry.listen.endsWith(`/p2p/${entry.peerId}`)).toBe(true)
      expect((await stat(join(dir, entry.name, 'key.json'))).mode & 0o777).toBe(0o600)
    }
    expect(await readJson(join(dir, 'nodes.json'))).toEqual(nodes)
  })

  it('gives every node distinct loopback ports and configs that pass the schema', async () => {
    const ports = new Set<number>()
    for (const [i, entry] of nodes.nodes.entries()) {
      const raw = await readJson(join(dir, entry.config))
      expect(raw.dataDir).toBe('.')
      expect(raw.network).toBe('../network.json')
      expect(raw.key).toBe('key.json')
      expect(raw.listen).toEqual([`/ip4/127.0.0.1/tcp/${17001 + i}`])
      expect(raw.api).toBe(`127.0.0.1:${17101 + i}`)
      expect(entry.apiUrl).toBe(`http://127.0.0.1:${17101 + i}`)
      expect(raw.apiToken).toBeUndefined()
      expect(raw.bootstrap).toEqual(nodes.nodes.filter((n) => n !== entry).map((n) => n.listen))
      const loaded = await loadConfigFile(join(dir, entry.config))
      expect(loaded.config.network).toBe(join(dir, 'network.json'))
      expect(loaded.config.key).toBe(join(dir, entry.name, 'key.json'))
      ports.add(17001 + i).add(17101 + i)
    }
    expect(ports.size).toBe(8)
  })

  it('refuses to overwrite an existing network without force, and leaves it unchanged', async () => {
    const before = await readFile(join(dir, 'network.json'))
    await expect(initNetwork({ nodes: 2, out: dir })).rejects.toMatchObject({ code: 'ERR_NETWORK_EXISTS' })
    expect(await readFile(join(dir, 'network.json'))).toEqual(before)
  })

  it('overwrites with force, with new keys', async () => {
    const again = await initNetwork({ nodes: 4, out: dir, force: true, networkId: 'my-net' })
    expect(again.networkId).toBe('my-net')
    expect(again.nodes[0]!.publicKey).not.toBe(nodes.nodes[0]!.publicKey)
    expect(loadKeyFile(join(dir, 'node1', 'key.json')).publicKey).toBe(again.nodes[0]!.publicKey)
  })
})

describe('initNetwork options', () => {
  it('picks distinct free ports with base port 0, below the ephemeral range (no outgoing connection or port-0 listener can take one before the node binds it)', async () => {
    const n = await initNetwork({ nodes: 5, out: join(root, 'free'), basePort: 0, apiBasePort: 0 })
    const ports = n.nodes.flatMap((e) => [Number(e.listen.split('/')[4]), Number(new URL(e.apiUrl).port)])
    expect(new Set(ports).size).toBe(10)
    // Every system this runs on has room below its ephemeral range (Linux 32768 by default, else 49152).
    const { low } = ephemeralPortRange()
    expect(low).toBeGreaterThan(FREE_PORT_LOW + 1000)
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(FREE_PORT_LOW)
      expect(p).toBeLessThan(low)
    }
  })

  it('writes an API token (config mode 0600) when the host is not loopback', async () => {
    const n = await initNetwork({ nodes: 2, out: join(root, 'lan'), host: '10.1.2.3' })
    const config = await readJson(join(root, 'lan', n.nodes[0]!.config))
    expect(config.apiToken).toMatch(/^[0-9a-f]{48}$/)
    expect(config.listen).toEqual(['/ip4/10.1.2.3/tcp/17001'])
    expect((await stat(join(root, 'lan', n.nodes[0]!.config))).mode & 0o777).toBe(0o600)
    expect((await loadConfigFile(join(root, 'lan', n.nodes[0]!.config))).config.apiToken).toBe(config.apiToken)
  })

  it('refuses bad values with ERR_BAD_ARGS', async () => {
    const out = join(root, 'bad')
    for (const bad of [{ nodes: 0 }, { nodes: 1001 }, { nodes: 2, host: 'localhost' }, { nodes: 2, networkId: 'Bad_Id' }, { nodes: 3, basePort: 17000, apiBasePort: 17002 }, { nodes: 3, basePort: 65534 }]) {
      await expect(initNetwork({ out, ...bad })).rejects.toMatchObject({ code: 'ERR_BAD_ARGS' })
    }
  })
})

describe('the network init command', () => {
  it('exits 0 and prints nodes.json with --json; exits 2 with the code when the network exists', async () => {
    const out = join(root, 'cli')
    const ok = await runCliProcess(['network', 'init', '--nodes', '2', '--out', out, '--base-port', '0', '--api-base-port', '0', '--json'])
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.stdout)).toEqual(await readJson(join(out, 'nodes.json')))
    const again = await runCliProcess(['network', 'init', '--nodes', '2', '--out', out])
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('ERR_NETWORK_EXISTS')
  })
})
