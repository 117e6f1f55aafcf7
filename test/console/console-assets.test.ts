/**
 * The console as the node serves it (a real node and API): `/` and `/ui`
 * redirect to the page, the page and its two assets carry a strict
 * Content-Security-Policy, only the listed asset names are served, and the
 * committed bundle is exactly what a fresh build of console/src makes (so
 * the served console never lags its sources).
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildConsole } from '../../console/build.ts'
import { sha256Hex } from '../../protocol/hash.ts'
import { CONSOLE_CSP } from '../../node/api/routes/console.ts'
import { startTestNode, type TestNode } from '../node/api/fixtures.ts'

let t: TestNode
beforeAll(async () => { t = await startTestNode() })
afterAll(async () => { await t.close() })

describe('the console routes', () => {
  it('redirect / and /ui to /ui/, which serves the page with its policy', async () => {
    for (const path of ['/', '/ui']) {
      const r = await fetch(`${t.url}${path}`, { redirect: 'manual' })
      expect([r.status, r.headers.get('location')]).toEqual([302, '/ui/'])
    }
    const page = await fetch(`${t.url}/ui/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toBe(CONSOLE_CSP)
    const html = await page.text()
    expect(html).toContain('<script type="module" src="/ui/assets/app.js"></script>')
    expect(html).not.toMatch(/https?:\/\//)
  })

  it('serve the two assets and nothing else', async () => {
    const js = await fetch(`${t.url}/ui/assets/app.js`)
    expect([js.status, js.headers.get('content-type'), js.headers.get('x-content-type-options')]).toEqual([200, 'text/javascript; charset=utf-8', 'nosniff'])
    expect(await js.text()).toBe(readFileSync(new URL('../../console/dist/app.js', import.meta.url), 'utf8'))
    const css = await fetch(`${t.url}/ui/assets/app.css`)
    expect([css.status, css.headers.get('content-type')]).toEqual([200, 'text/css; charset=utf-8'])
    for (const bad of ['index.html', '..%2F..%2Fpackage.json', 'app.js.map', '..%2Fbuild.ts', 'APP.JS']) {
      const r = await fetch(`${t.url}/ui/assets/${bad}`)
      expect([r.status, ((await r.json()) as { error: { code: string } }).error.code]).toEqual([400, 'ERR_BAD_REQUEST'])
    }
  })
})

describe('the committed console bundle', () => {
  // The bundle holds protocol code (certificate verification): a change there needs a rebuild too.
  it('is byte for byte a fresh build of console/src and the protocol code it bundles (rebuild with npm run build:console)', async () => {
    for (const f of await buildConsole()) {
      const committed = sha256Hex(readFileSync(new URL(`../../console/dist/${f.name}`, import.meta.url)))
      expect(committed, `console/dist/${f.name} is stale: run npm run build:console and commit it`).toBe(sha256Hex(new TextEncoder().encode(f.text)))
    }
  })
})
