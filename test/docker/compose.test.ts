/**
 * The container set-up as files: the Dockerfile, docker-compose.network.yml
 * (through `docker-compose config` when the tool is installed), the
 * Prometheus config (through `promtool check config` when Debian's
 * `prometheus` package is installed) and the Grafana dashboard, whose every
 * metric must exist in a real node's /metrics and which must draw every
 * metric that /metrics serves.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI, NODE, ROOT, readyLine, stopProcess } from '../../sim/cluster.ts'

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string, dependencies: Record<string, string>, devDependencies: Record<string, string> }
const COMPOSE = join(ROOT, 'docker-compose.network.yml')
const PROMETHEUS = join(ROOT, 'docker/prometheus/prometheus.yml')
const DASHBOARD = join(ROOT, 'docker/grafana/dashboards/trust-engine.json')

function has (tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0
}

describe('Dockerfile', () => {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
  const instructions = text.split('\n').filter((l) => /^[A-Z]+\s/.test(l))

  it('builds in two stages from a base image given by a build argument, default the official Node 22 slim image', () => {
    expect(instructions[0]).toBe('ARG BASE_IMAGE=node:22-bookworm-slim')
    expect(instructions.filter((l) => l.startsWith('FROM '))).toEqual(['FROM ${BASE_IMAGE} AS deps', 'FROM ${BASE_IMAGE}'])
  })

  it('installs production dependencies only, without the node package (no second Node)', () => {
    expect(text).toMatch(/npm ci --omit=dev --omit=optional --ignore-scripts/)
    expect(pkg.dependencies.node).toBeUndefined()
    expect(pkg.devDependencies.node).toBeDefined()
  })

  it('runs as the node user with a /data volume, a health check on /healthz and a stop signal', () => {
    expect(instructions).toContain('USER node')
    expect(instructions).toContain('VOLUME ["/data"]')
    expect(instructions).toContain('STOPSIGNAL SIGTERM')
    expect(text).toMatch(/HEALTHCHECK [^\n]*\\\n\s+CMD \["node", "docker\/healthcheck.js"\]/)
    expect(readFileSync(join(ROOT, 'docker/healthcheck.js'), 'utf8')).toContain('/healthz')
  })
})

describe('docker-compose.network.yml', () => {
  const token = 'a-test-token-of-24-chars'
  const config = (env: NodeJS.ProcessEnv): { status: number | null, stdout: string, stderr: string } => {
    const r = spawnSync('docker-compose', ['-f', COMPOSE, 'config'], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' })
    return { status: r.status, stdout: r.stdout, stderr: r.stderr }
  }
  const available = has('docker-compose')

  it.skipIf(!available)('is valid for docker-compose and refuses to start without an API token', () => {
    expect(config({ TRUST_ENGINE_API_TOKEN: token }).status).toBe(0)
    const missing = config({})
    expect(missing.status).not.toBe(0)
    expect(missing.stderr).toContain('TRUST_ENGINE_API_TOKEN')
  })

  it.skipIf(!available)('has five validators with health checks, a restart policy, limits, loopback APIs and published, announced libp2p ports', () => {
    const out = config({ TRUST_ENGINE_API_TOKEN: token, TRUST_ENGINE_PUBLIC_IP: '192.0.2.10' }).stdout
    // docker-compose config prints YAML; the parts checked are plain lines of it.
    const services = out.split(/\n {2}(?=[a-z0-9]+:\n)/).slice(1)
    const byName = new Map(services.map((s) => [s.slice(0, s.indexOf(':')), s]))
    for (let k = 1; k <= 5; k++) {
      const s = byName.get(`node${k}`)
      expect(s, `node${k}`).toBeDefined()
      expect(s).toContain(`image: trust-engine:${pkg.version}`)
      expect(s).toContain('restart: always')
      expect(s).toContain('test:\n      - CMD\n      - node\n      - docker/healthcheck.js')
      expect(s).toMatch(/mem_limit: /)
      expect(s).toMatch(/cpus: /)
      expect(s).toContain(`127.0.0.1:770${k}:7700/tcp`)
      expect(s).toMatch(new RegExp(`- published: 700${k}\\n\\s+target: 7000`))
      expect(s).toContain(`TRUST_ENGINE_ANNOUNCE: /dns4/node${k}/tcp/7000,/ip4/192.0.2.10/tcp/700${k}`)
      expect(s).toContain(`TRUST_ENGINE_API_TOKEN: ${token}`)
      expect(s).toContain('condition: service_completed_successfully')
      if (k > 1) expect(s).toMatch(/node1:\n\s+condition: service_healthy/)
      for (let j = 1; j <= 5; j++) if (j !== k) expect(s).toContain(`/dns4/node${j}/tcp/7000`)
    }
    expect(byName.get('init')).toContain(`image: trust-engine:${pkg.version}`)
    expect(byName.get('init')).toContain('/app/docker/init.sh')
    expect(byName.get('prometheus')).toContain('- metrics')
  })
})

describe('metrics profile', () => {
  it.skipIf(!has('promtool'))('the Prometheus config passes promtool check config and scrapes every node', () => {
    const r = spawnSync('promtool', ['check', 'config', PROMETHEUS], { encoding: 'utf8' })
    expect(r.status).toBe(0)
    const text = readFileSync(PROMETHEUS, 'utf8')
    for (let k = 1; k <= 5; k++) expect(text).toContain(`"node${k}:7700"`)
  })

  let proc: ChildProcess | null = null
  const dir = mkdtempSync(join(tmpdir(), 'te-metrics-'))
  /** The exposition of a real node's /metrics, and the metric names it declares (`# TYPE`). */
  let text = ''
  let served = new Set<string>()
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Array<{ id: number, title: string, gridPos: { x: number, y: number, w: number, h: number }, targets: Array<{ expr: string }> }> }
  /** Metric names the dashboard's panels query (a histogram's `_bucket`, `_sum` and `_count` stand for the histogram). */
  const used = new Set<string>()
  for (const p of dashboard.panels) for (const t of p.targets) for (const m of t.expr.matchAll(/trust_engine_[a-z0-9_]+/g)) used.add(m[0])
  const base = (name: string): string => name.replace(/_(bucket|count|sum)$/, '')
  beforeAll(async () => {
    proc = spawn(NODE, [CLI, 'node', '--data-dir', dir, '--api', '127.0.0.1:0', '--log-level', 'warn'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] })
    const ready = await readyLine(proc)
    text = await (await fetch(`${ready.apiUrl}/metrics`)).text()
    served = new Set(text.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]!))
  })
  afterAll(async () => {
    if (proc !== null) await stopProcess(proc)
    rmSync(dir, { recursive: true, force: true })
  })

  it("every metric of the Grafana dashboard is served by a real node's /metrics, which promtool accepts", () => {
    expect(used.size).toBeGreaterThan(10)
    for (const name of used) expect(served.has(name) || served.has(base(name)), name).toBe(true)
    if (has('promtool')) {
      const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' })
      // Lint findings are allowed only for prom-client's default Node.js
      // collectors, which name three gauges `..._total`; a broken exposition
      // ("error while linting") fails.
      const findings = (check.stdout + check.stderr).split('\n').filter((l) => l.trim() !== '')
      expect(findings.filter((l) => !/^trust_engine_nodejs_active_[a-z]+_total non-counter metrics should not have "_total" suffix$/.test(l))).toEqual([])
    }
  })

  it("every metric a real node serves is drawn in some panel of the dashboard, so a new metric cannot be left out of it", () => {
    // The node's own metrics (node/metrics.ts) and prom-client's process and Node.js collectors alike.
    expect(served.size).toBeGreaterThan(40)
    const drawn = new Set([...used].map(base))
    expect([...served].filter((name) => !drawn.has(name) && !used.has(name))).toEqual([])
  })

  it('gives every panel its own id and its own place on the grid', () => {
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length)
    const cells = new Map<string, string>()
    for (const p of dashboard.panels) {
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          expect(cells.get(`${x},${y}`), `${p.title} overlaps`).toBeUndefined()
          cells.set(`${x},${y}`, p.title)
        }
      }
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24)
    }
  })
})
