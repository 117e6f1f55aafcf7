/** The node config file: schema, bounded loading, paths relative to the file. */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_CONFIG_FILE_BYTES, configFileToOptions, loadConfigFile, parseConfigFile } from '../../../node/config/config-file.ts'
import { resolveNodeOptions } from '../../../node/config/node-options.ts'

const PEER = '12D3KooWHiYYZy9uAFTB5F4juZ7w33LUzSesuRh7dypRvcPVSRwt'
const GOOD = {
  name: 'node1',
  dataDir: '.',
  network: '../network.json',
  key: 'key.json',
  listen: ['/ip4/127.0.0.1/tcp/17001'],
  api: '127.0.0.1:17101',
  bootstrap: [`/ip4/127.0.0.1/tcp/17002/p2p/${PEER}`],
  logLevel: 'debug'
}
const bytes = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v))

let dir: string
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'trust-engine-config-')) })
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

describe('parseConfigFile', () => {
  it('accepts the shape network init writes, and an empty object', () => {
    expect(parseConfigFile(bytes(GOOD))).toEqual(GOOD)
    expect(parseConfigFile(bytes({}))).toEqual({})
    expect(parseConfigFile(bytes({ api: 'off' })).api).toBe('off')
    expect(parseConfigFile(bytes({ api: '[::1]:7700' })).api).toBe('[::1]:7700')
  })

  it('refuses unknown keys, bad values, bad JSON and oversized input with ERR_CONFIG_INVALID', () => {
    const bad: unknown[] = [
      { ...GOOD, extra: 1 },
      { ...GOOD, name: 'has space' },
      { ...GOOD, api: '127.0.0.1' },
      { ...GOOD, api: '127.0.0.1:70000' },
      { ...GOOD, listen: ['not a multiaddr'] },
      { ...GOOD, bootstrap: ['/ip4/127.0.0.1/tcp/17002'] },
      // Not a multiaddr at all: the peer-id rule must not throw out of the schema.
      { ...GOOD, bootstrap: ['.ip4/127.0.0.1/tcp/17002/p2p/x'] },
      { ...GOOD, logLevel: 'verbose' },
      { ...GOOD, apiToken: 'short' },
      { ...GOOD, dataDir: '' },
      [GOOD],
      null
    ]
    for (const value of bad) {
      expect(() => parseConfigFile(bytes(value))).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }))
    }
    expect(() => parseConfigFile(new TextEncoder().encode('{"name":'))).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }))
    expect(() => parseConfigFile(Uint8Array.of(0xff, 0xfe))).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }))
    expect(() => parseConfigFile(new Uint8Array(MAX_CONFIG_FILE_BYTES + 1).fill(32))).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }))
  })

  it('names the offending field', () => {
    try {
      parseConfigFile(bytes({ ...GOOD, listen: ['/ip4/127.0.0.1/tcp/1', 'nope'] }))
      expect.unreachable()
    } catch (err) {
      expect((err as { details: { issues: Array<{ path: string }> } }).details.issues[0]!.path).toBe('listen.1')
    }
  })
})

describe('loadConfigFile', () => {
  it('resolves dataDir, network and key against the file directory', async () => {
    await mkdir(join(dir, 'net', 'node1'), { recursive: true })
    const path = join(dir, 'net', 'node1', 'config.json')
    await writeFile(path, JSON.stringify(GOOD))
    const loaded = await loadConfigFile(path)
    expect(loaded.path).toBe(path)
    expect(loaded.config.dataDir).toBe(join(dir, 'net', 'node1'))
    expect(loaded.config.network).toBe(join(dir, 'net', 'network.json'))
    expect(loaded.config.key).toBe(join(dir, 'net', 'node1', 'key.json'))
    expect(loaded.config.listen).toEqual(GOOD.listen)
  })

  it('feeds resolveNodeOptions', async () => {
    const path = join(dir, 'net', 'node1', 'config.json')
    const options = resolveNodeOptions([configFileToOptions((await loadConfigFile(path)).config)], '/elsewhere')
    expect(options.networkFile).toBe(join(dir, 'net', 'network.json'))
    expect(options.keyFile).toBe(join(dir, 'net', 'node1', 'key.json'))
    expect(options.api).toEqual({ host: '127.0.0.1', port: 17101 })
    expect(options.bootstrap).toEqual(GOOD.bootstrap)
  })

  it('reports a missing file as ERR_CONFIG_UNREADABLE and an oversized one as ERR_CONFIG_INVALID', async () => {
    await expect(loadConfigFile(join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'ERR_CONFIG_UNREADABLE' })
    await expect(loadConfigFile(dir)).rejects.toMatchObject({ code: 'ERR_CONFIG_UNREADABLE' })
    const big = join(dir, 'big.json')
    await writeFile(big, ' '.repeat(MAX_CONFIG_FILE_BYTES + 1))
    await expect(loadConfigFile(big)).rejects.toMatchObject({ code: 'ERR_CONFIG_INVALID' })
  })
})
