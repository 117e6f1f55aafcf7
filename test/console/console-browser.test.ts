/**
 * The web console in a real browser against a real node process: Debian's
 * Chromium (driven by playwright-core pointed at the system browser; nothing
 * is downloaded) opens the URL the node prints, refuses a file that is not
 * an image before uploading it, submits a frames job by dropping frames on
 * the Submit page, follows the Job page to a final status, opens the
 * evidence and verifies the certificate in the page, checks the audit chain
 * and shows the network, then stops and restarts the node and sees the page
 * say so and recover, and submits a scene the network optimizes and finds its
 * optimizer report. Each page's screenshot must have content (not a blank
 * page) and no serious WCAG 2 A/AA problem axe-core finds; the submit button
 * is reached and pressed with the keyboard.
 *
 * Runs when /usr/bin/chromium exists (.ci/run installs it); otherwise skipped,
 * saying why. `CONSOLE_SCREENSHOTS=DIR` also keeps the screenshots in DIR.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI, NODE, ROOT, readyLine, stopProcess, tempDir } from '../../sim/cluster.ts'
import { degradedPng, testPng } from '../../sim/images.ts'
import { makeGlb } from '../../sim/scenes.ts'

const CHROMIUM = '/usr/bin/chromium'
const HAVE_CHROMIUM = existsSync(CHROMIUM)
if (!HAVE_CHROMIUM) console.log(`console browser test skipped: ${CHROMIUM} is not installed (apt-get install chromium; .ci/run installs it)`)

type BrowserContext = import('playwright-core').BrowserContext
type Page = import('playwright-core').Page
type Route = import('playwright-core').Route

/** Share of pixels that differ from the most common colour, and the number of distinct colours (sampled). */
function content (png: Buffer): { share: number, colours: number } {
  const img = PNG.sync.read(png)
  const counts = new Map<number, number>()
  let n = 0
  for (let i = 0; i < img.data.length; i += 4 * 7) {
    const c = (img.data[i]! << 16) | (img.data[i + 1]! << 8) | img.data[i + 2]!
    counts.set(c, (counts.get(c) ?? 0) + 1)
    n++
  }
  const top = Math.max(...counts.values())
  return { share: 1 - top / n, colours: counts.size }
}

describe.skipIf(!HAVE_CHROMIUM)('the web console in Chromium', () => {
  const dir = tempDir('console')
  let proc: ChildProcess | null = null
  let browser: BrowserContext | undefined
  let page: Page
  let profile: string
  let apiUrl: string
  const keep = process.env.CONSOLE_SCREENSHOTS

  /** Serious or critical WCAG 2 A/AA problems axe-core finds on the page as it is now. */
  async function accessibility (): Promise<string[]> {
    // Evaluated through the DevTools protocol: the page's Content-Security-Policy (which the test keeps) refuses inline scripts.
    if (!await page.evaluate(() => 'axe' in globalThis)) await page.evaluate(readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8'))
    return await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, o: unknown) => Promise<{ violations: Array<{ id: string, impact: string, nodes: Array<{ target: string[] }> }> }> } }).axe
      const r = await axe.run((globalThis as unknown as { document: unknown }).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } })
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`)
    })
  }

  async function shot (name: string): Promise<void> {
    expect(await accessibility(), `${name}: accessibility`).toEqual([])
    const png = await page.screenshot({ fullPage: true })
    const c = content(png)
    // A page with text, tables and images: many colours, and far from one flat colour.
    expect(c.colours, `${name}: colours`).toBeGreaterThan(20)
    expect(c.share, `${name}: share of non-background pixels`).toBeGreaterThan(0.02)
    if (keep !== undefined) { mkdirSync(keep, { recursive: true }); writeFileSync(join(keep, `console-${name}.png`), png) }
  }

  beforeAll(async () => {
    proc = spawn(NODE, [CLI, 'node', '--data-dir', join(dir, 'data'), '--api', '127.0.0.1:0', '--log-level', 'warn'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    apiUrl = (await readyLine(proc)).apiUrl!
    const frames = { 'ref-1.png': testPng(160, 120, 0), 'ref-2.png': testPng(160, 120, 1), 'opt-1.png': degradedPng(160, 120, 40, 0), 'opt-2.png': degradedPng(160, 120, 40, 1), 'notes.png': new TextEncoder().encode('not an image') }
    for (const [name, bytes] of Object.entries(frames)) writeFileSync(join(dir, name), bytes)
    const { chromium } = await import('playwright-core')
    profile = await mkdtemp(join(tmpdir(), 'te-console-chromium-'))
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      deviceScaleFactor: 1,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
    })
    page = browser.pages()[0] ?? await browser.newPage()
    // Everything comes from the node: any other request is refused (no CDN, no network).
    await page.route('**/*', async (route) => { if (route.request().url().startsWith(apiUrl)) await route.continue(); else await route.abort() })
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    if (profile !== undefined) await rm(profile, { recursive: true, force: true })
    if (proc !== null) await stopProcess(proc)
    rmSync(dir, { recursive: true, force: true })
  })

  it('opens at the printed URL, refuses a file that is not an image, and submits dropped frames', async () => {
    await page.goto(`${apiUrl}/`)
    expect(new URL(page.url()).pathname).toBe('/ui/')
    await page.getByText('live', { exact: true }).waitFor()
    await page.getByRole('link', { name: 'Submit' }).click()
    await page.setInputFiles('#candidate-files', join(dir, 'notes.png'))
    await page.getByRole('alert').getByText('notes.png: not a PNG image or a GLB scene').waitFor()
    // The reference frames arrive by drag and drop, the candidates through the file chooser.
    const dropped = await page.evaluateHandle(async (files) => {
      const dt = new (globalThis as any).DataTransfer()
      for (const f of files) dt.items.add(new (globalThis as any).File([new Uint8Array(f.bytes)], f.name, { type: 'image/png' }))
      return dt
    }, ['ref-2.png', 'ref-1.png'].map((name) => ({ name, bytes: [...(name === 'ref-1.png' ? testPng(160, 120, 0) : testPng(160, 120, 1))] })))
    await page.locator('.drop').first().dispatchEvent('drop', { dataTransfer: dropped })
    await page.getByText('2 png file(s): ref-1.png, ref-2.png').waitFor()
    await page.setInputFiles('#candidate-files', [join(dir, 'opt-1.png'), join(dir, 'opt-2.png')])
    await page.getByText('2 png file(s): opt-1.png, opt-2.png').waitFor()
    await page.fill('#ssim-min', '0.5')
    // Keyboard only from here: Tab reaches the submit button, Enter presses it.
    await page.locator('body').focus()
    for (let i = 0; i < 40 && await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id) !== 'submit-job'; i++) await page.keyboard.press('Tab')
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id)).toBe('submit-job')
    await page.keyboard.press('Enter')
    await page.getByTestId('job-link').waitFor({ timeout: 120_000 })
    await page.getByTestId('submit-progress').getByText(/SSIM \d\.\d{4}/).waitFor({ timeout: 120_000 })
    await shot('submit')
  })

  it('follows the job to a final status and shows its votes, certificate and evidence', async () => {
    await page.getByTestId('job-link').click()
    const status = page.getByTestId('job-status')
    await expect.poll(async () => await status.textContent(), { timeout: 120_000 }).toMatch(/^(validated|rejected)$/)
    await page.getByText('agrees').first().waitFor()
    await page.getByTestId('certificate-download').waitFor()
    // Verified in the page with the bundled protocol code: against the node's network file, then against another one.
    await page.click('#verify-certificate')
    await expect.poll(async () => await page.getByTestId('certificate-result').textContent(), { timeout: 60_000 }).toMatch(/^valid: (validated|rejected) in round 0, signed by base weight 1 of 1/)
    const images = page.locator('section.sample img')
    await images.first().waitFor()
    expect(await page.locator('section.sample').count()).toBeGreaterThanOrEqual(4)
    await expect.poll(async () => await images.evaluateAll((els) => els.every((e) => (e as unknown as { complete: boolean, naturalWidth: number }).complete && (e as unknown as { naturalWidth: number }).naturalWidth > 0)), { timeout: 60_000 }).toBe(true)
    await page.waitForSelector('.chart canvas')
    await shot('job')
    const network = (await (await fetch(`${apiUrl}/v1/network`)).json()) as { validators: Array<{ weight: number }> }
    network.validators[0]!.weight = 2
    writeFileSync(join(dir, 'other-network.json'), JSON.stringify(network))
    await page.setInputFiles('input[aria-label="network file to verify against (optional)"]', join(dir, 'other-network.json'))
    await page.click('#verify-certificate')
    await expect.poll(async () => await page.getByTestId('certificate-result').textContent(), { timeout: 60_000 }).toMatch(/^INVALID: ERR_[A-Z_]+: .*other-network\.json/)
    await page.getByRole('button', { name: 'zoom SSIM map (red = low)' }).first().click()
    await page.getByRole('dialog', { name: 'zoomed image' }).waitFor()
    await page.getByRole('dialog').click()
  })

  it('verifies the audit chain in the page and shows the network', async () => {
    await page.getByRole('link', { name: 'Audit' }).click()
    await page.click('#verify-chain')
    await expect.poll(async () => await page.getByTestId('chain-result').textContent(), { timeout: 60_000 }).toMatch(/^valid: the head [0-9a-f]{12}… is signed by the node key [0-9a-f]{12}… in network dev-[0-9a-f]{8}; \d+ entries/)
    await shot('audit')
    // A head served with another hash than the one the node signed fails its signature check in the page.
    const tamper = async (route: Route): Promise<void> => {
      const res = await route.fetch()
      const body = await res.json() as { head: { hash: string } | null }
      if (body.head !== null) body.head.hash = (body.head.hash[0] === '0' ? '1' : '0') + body.head.hash.slice(1)
      await route.fulfill({ response: res, json: body })
    }
    await page.route('**/v1/audit?*', tamper)
    await page.click('#verify-chain')
    await expect.poll(async () => await page.getByTestId('chain-result').textContent(), { timeout: 60_000 }).toMatch(/^BROKEN: ERR_AUDIT_HEAD at entry \d+/)
    await page.unroute('**/v1/audit?*', tamper)
    await page.getByRole('link', { name: 'Network' }).click()
    await page.locator('table.validators tbody tr').first().waitFor()
    expect(await page.locator('dl.info').textContent()).toMatch(/network id\s*dev-[0-9a-f]{8}/)
    expect(await page.locator('table.validators tbody tr').count()).toBe(1)
    // Trust over time from the node's stored history: the frames job decided above changed the validator's reputation.
    await page.getByTestId('trust-history').locator('canvas').first().waitFor({ timeout: 60_000 })
    await shot('network')
  })

  it('shows a node that goes away as disconnected, and recovers when it comes back', async () => {
    await page.getByRole('link', { name: 'Jobs' }).click()
    await page.locator('table.jobs tbody tr').first().waitFor()
    const port = new URL(apiUrl).port
    expect(await stopProcess(proc!)).toBe(0)
    proc = null
    await page.getByTestId('connection').getByText('disconnected', { exact: true }).waitFor({ timeout: 60_000 })
    // The same node, data and port: the page reconnects by itself and re-reads its list.
    proc = spawn(NODE, [CLI, 'node', '--data-dir', join(dir, 'data'), '--api', `127.0.0.1:${port}`, '--log-level', 'warn'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    await readyLine(proc)
    await page.getByTestId('connection').getByText('live', { exact: true }).waitFor({ timeout: 120_000 })
    expect(await page.locator('table.jobs tbody tr').count()).toBe(1)
  })

  it('submits a scene for the network to optimize and follows it to a final status with its evidence', async () => {
    writeFileSync(join(dir, 'scene.glb'), await makeGlb({ grids: [6] }))
    await page.getByRole('link', { name: 'Submit' }).click()
    await page.setInputFiles('#reference-files', join(dir, 'scene.glb'))
    await page.getByText('1 glb file(s): scene.glb').waitFor()
    // Without a candidate the node optimizes with the chosen profile and every verifier re-runs it.
    await page.getByLabel('Optimizer profile').selectOption('quality')
    await page.click('#submit-job')
    await page.getByTestId('job-link').click()
    await expect.poll(async () => await page.getByTestId('job-status').textContent(), { timeout: 180_000 }).toMatch(/^(validated|rejected)$/)
    expect(await page.locator('p.summary').textContent()).toMatch(/scene .*re-execution hash matches/)
    // The node's evidence of the scene: renders of the worst and random views, side by side.
    await page.locator('section.sample img').first().waitFor({ timeout: 60_000 })
    expect(await page.getByText(/^Round 0, scenes:/).count()).toBe(1)
    await expect.poll(async () => await page.locator('section.sample img').evaluateAll((els) => els.every((e) => (e as unknown as { complete: boolean, naturalWidth: number }).complete && (e as unknown as { naturalWidth: number }).naturalWidth > 0)), { timeout: 60_000 }).toBe(true)
    // The optimizer report of the optimization that made the candidate: its output is the job's candidate.
    await page.getByTestId('optimizer-report').waitFor({ timeout: 60_000 })
    expect(await page.getByTestId('optimizer-output-check').textContent()).toBe('= the job’s candidate')
    expect(await page.locator('table.figures tbody tr').count()).toBe(8)
    expect(await page.locator('ol.operations li').count()).toBeGreaterThan(3)
    await shot('scene-job')
  })
})
