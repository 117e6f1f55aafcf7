/**
 * The web console in a real browser on a network of three real node
 * processes (`network init`, as the integration tests start them): Debian's
 * Chromium (driven by playwright-core pointed at the system browser; nothing
 * is downloaded) opens the URL of one node, refuses a file that is not an
 * image before uploading it, submits a scene for the network to optimize and
 * a frames job (dropped frames, submitted with the keyboard) through the
 * Submit page, follows each Job page until the three validators' votes made
 * it final, opens the evidence (and the scene's optimizer report), downloads the certificate (a real download,
 * saved to a file) and verifies that file in the page (and a tampered copy,
 * another job's certificate and another network file, which fail with their
 * codes), pages the Jobs list through the node's index, checks the audit
 * chain, shows the network, then stops and restarts the node and sees the
 * page say so and recover. Each page's screenshot must have content (not a
 * blank page) and no serious WCAG 2 A/AA problem axe-core finds.
 *
 * Runs when /usr/bin/chromium exists (.ci/run installs it); otherwise skipped,
 * saying why. `CONSOLE_SCREENSHOTS=DIR` also keeps the screenshots in DIR.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Cluster, ROOT, tempDir } from '../../sim/cluster.ts'
import { degradedPng, testPng } from '../../sim/images.ts'
import { makeGlb } from '../../sim/scenes.ts'

const CHROMIUM = '/usr/bin/chromium'
const HAVE_CHROMIUM = existsSync(CHROMIUM)
if (!HAVE_CHROMIUM) console.log(`console browser test skipped: ${CHROMIUM} is not installed (apt-get install chromium; .ci/run installs it)`)

/**
 * Vote deadline the page gives both jobs: ten minutes, a hang guard rather
 * than a speed requirement (three nodes rendering a scene at once on a busy
 * machine must not miss it); a job is final as soon as its votes are in.
 */
const DEADLINE_S = 600

/**
 * Longest wait for the nodes' work, a hang guard like the deadline: node1
 * optimizing the scene before it announces the job, the validators
 * measuring (each re-runs the optimizer and renders the views), node1
 * making its evidence files after its vote. A fixed minute or two for
 * these was a limit on the machine's speed (on a machine loaded ten times
 * over, the scene job alone took 45 to 89 s from announcement to final).
 */
const NODE_WORK_MS = (DEADLINE_S + 60) * 1000

/**
 * Hang guard of a case that waits for a job (vitest's 240 s would end it
 * before the waits above could): two of those waits, and the page's.
 */
const JOB_CASE_MS = 2 * NODE_WORK_MS + 120_000

/**
 * Hang guard of each browser action without a timeout of its own (click,
 * fill, screenshot, navigation): Playwright's default of 30 s is a limit on
 * the machine's speed, not a hang guard.
 */
const ACTION_MS = 120_000

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

describe.skipIf(!HAVE_CHROMIUM)('the web console in Chromium on three node processes', () => {
  const dir = tempDir('console')
  let cluster: Cluster | undefined
  let browser: BrowserContext | undefined
  let page: Page
  let profile: string
  let apiUrl: string
  let sceneJob: string
  let framesJob: string
  let certFile: string
  const keep = process.env.CONSOLE_SCREENSHOTS
  /** Uncaught exceptions and console errors of the page, for the message of a failed wait. */
  const pageErrors: string[] = []

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

  /** The job ids of the Jobs list's rows, in order. */
  async function listed (): Promise<string[]> {
    return await page.locator('table.jobs tbody tr').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { job: string } }).dataset.job))
  }

  /** What the page shows and what node1 answers for the page's job: the message of a failed wait. */
  async function pageAndNode (): Promise<string> {
    const shown = (await page.locator('body').innerText().catch((e: Error) => e.message)).slice(0, 2000)
    const jobId = /#\/job\/([0-9a-f]{64})/.exec(page.url())?.[1]
    const view = jobId === undefined ? 'no job in the URL' : await (await fetch(`${apiUrl}/v1/jobs/${jobId}`)).text()
    return `the page shows:\n${shown}\nnode1 answers for the job: ${view.slice(0, 4000)}\nthe page's errors: ${JSON.stringify(pageErrors.slice(-20))}`
  }

  /**
   * The rounds the page's job took, from node1: a job whose first round fell in the grey zone (its interval
   * across a threshold, which depends on its sample plan, and so on its id) is decided in round 1, with a
   * second vote from every validator.
   */
  async function roundsOfPageJob (): Promise<number> {
    const jobId = /#\/job\/([0-9a-f]{64})/.exec(page.url())![1]!
    return (await (await fetch(`${apiUrl}/v1/jobs/${jobId}`)).json() as { round: number }).round + 1
  }

  /** Waits (a hang guard) until the Job page shows the heading of three votes per round; a failed wait says what the page and node1 showed. */
  async function threeVotesShown (): Promise<void> {
    const rounds = await roundsOfPageJob()
    await page.getByRole('heading', { name: `Votes (${3 * rounds})` }).waitFor({ timeout: 60_000 }).catch(async (e: Error) => { throw new Error(`${e.message}\n${await pageAndNode()}`) })
  }

  /** Waits until the Job page shows a final status with every validator's vote, and its evidence images are loaded. */
  async function followToFinal (): Promise<string> {
    const status = page.getByTestId('job-status')
    await expect.poll(async () => await status.textContent(), { timeout: NODE_WORK_MS }).toMatch(/^(validated|rejected)$/)
    await threeVotesShown()
    const rounds = await roundsOfPageJob()
    expect(await page.locator('table.votes tbody tr').evaluateAll((rows) => rows.map((r) => (r as unknown as { cells: Array<{ textContent: string }> }).cells[0]!.textContent).sort())).toEqual(['node1', 'node2', 'node3'].flatMap((n) => Array<string>(rounds).fill(n)))
    expect(await page.locator('table.votes tbody tr td:last-child').allTextContents()).toEqual(Array<string>(3 * rounds).fill('agrees'))
    const images = page.locator('section.sample img')
    // node1 makes its evidence files after its vote, so possibly after the job is final.
    await images.first().waitFor({ timeout: NODE_WORK_MS })
    // The images load lazily, as a reader scrolls to them: scroll to the first one not loaded yet until all are.
    await expect.poll(async () => await images.evaluateAll((els) => {
      const waiting = els.filter((e) => !((e as unknown as { complete: boolean }).complete && (e as unknown as { naturalWidth: number }).naturalWidth > 0))
      ;(waiting[0] as unknown as { scrollIntoView: () => void } | undefined)?.scrollIntoView()
      return waiting.length
    }), { timeout: 60_000 }).toBe(0)
    return (await status.textContent())!
  }

  async function verifyIn (what: { certificate?: string, network?: string }): Promise<string> {
    if (what.certificate !== undefined) await page.setInputFiles('input[aria-label="certificate file to verify (optional)"]', what.certificate)
    if (what.network !== undefined) await page.setInputFiles('input[aria-label="network file to verify against (optional)"]', what.network)
    // A new file clears the last result, so the result read below is this check's.
    const result = page.getByTestId('certificate-result')
    await result.waitFor({ state: 'detached', timeout: 60_000 })
    await page.click('#verify-certificate')
    await result.waitFor({ timeout: 60_000 })
    return (await result.textContent())!
  }

  beforeAll(async () => {
    cluster = Cluster.init(3)
    // The browser starts while the nodes start and connect.
    const launched = (async () => {
      const { chromium } = await import('playwright-core')
      profile = await mkdtemp(join(tmpdir(), 'te-console-chromium-'))
      return await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        acceptDownloads: true,
        viewport: { width: 1280, height: 900 },
        deviceScaleFactor: 1,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
      })
    })()
    const files = { 'ref-1.png': testPng(160, 120, 0), 'ref-2.png': testPng(160, 120, 1), 'opt-1.png': degradedPng(160, 120, 40, 0), 'opt-2.png': degradedPng(160, 120, 40, 1), 'notes.png': new TextEncoder().encode('not an image'), 'scene.glb': await makeGlb({ grids: [6] }) }
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes)
    try {
      await cluster.startAll()
      await cluster.waitConnected()
    } finally {
      browser = await launched
    }
    apiUrl = cluster.entry('node1').apiUrl
    browser.setDefaultTimeout(ACTION_MS)
    browser.setDefaultNavigationTimeout(ACTION_MS)
    page = browser.pages()[0] ?? await browser.newPage()
    // Everything comes from the node: any other request is refused (no CDN, no network).
    await page.route('**/*', async (route) => { if (route.request().url().startsWith(apiUrl)) await route.continue(); else await route.abort() })
    page.on('pageerror', (e) => { pageErrors.push(`${new Date().toISOString()} uncaught: ${e.message}`) })
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(`${new Date().toISOString()} console: ${m.text()}`) })
  }, 300_000)

  afterAll(async () => {
    await browser?.close()
    if (profile !== undefined) await rm(profile, { recursive: true, force: true })
    await cluster?.cleanup()
    rmSync(dir, { recursive: true, force: true })
  })

  it('opens at the printed URL, refuses a file that is not an image, and submits a scene and dropped frames', async () => {
    await page.goto(`${apiUrl}/`)
    expect(new URL(page.url()).pathname).toBe('/ui/')
    await page.getByText('live', { exact: true }).waitFor()
    await page.getByRole('link', { name: 'Submit' }).click()
    await page.setInputFiles('#candidate-files', join(dir, 'notes.png'))
    await page.getByRole('alert').getByText('notes.png: not a PNG image or a GLB scene').waitFor()
    await page.setInputFiles('#candidate-files', [])
    // First the scene (the longer job): without a candidate the network optimizes it with the chosen profile and every verifier re-runs it.
    await page.setInputFiles('#reference-files', join(dir, 'scene.glb'))
    await page.getByText('1 glb file(s): scene.glb').waitFor()
    await page.getByLabel('Optimizer profile').selectOption('quality')
    await page.fill('#deadline-s', String(DEADLINE_S))
    await page.click('#submit-job')
    const link = page.getByTestId('job-link')
    // node1 optimizes the scene before it announces the job.
    await link.waitFor({ timeout: NODE_WORK_MS })
    sceneJob = /^#\/job\/([0-9a-f]{64})$/.exec((await link.getAttribute('href'))!)![1]!
    // Then the frames, while the scene is measured: the reference frames by drag and drop, the candidates through the file chooser.
    await page.setInputFiles('#reference-files', [])
    const dropped = await page.evaluateHandle(async (files) => {
      const dt = new (globalThis as any).DataTransfer()
      for (const f of files) dt.items.add(new (globalThis as any).File([new Uint8Array(f.bytes)], f.name, { type: 'image/png' }))
      return dt
    }, ['ref-2.png', 'ref-1.png'].map((name) => ({ name, bytes: [...readFileSync(join(dir, name))] })))
    await page.locator('.drop').first().dispatchEvent('drop', { dataTransfer: dropped })
    await page.getByText('2 png file(s): ref-1.png, ref-2.png').waitFor()
    await page.setInputFiles('#candidate-files', [join(dir, 'opt-1.png'), join(dir, 'opt-2.png')])
    await page.getByText('2 png file(s): opt-1.png, opt-2.png').waitFor()
    // Below the network's floor (network init writes the default thresholds there): refused before any upload.
    await page.fill('#ssim-min', '0.5')
    await page.click('#submit-job')
    await page.getByRole('alert').getByText("ERR_JOB_THRESHOLDS: the SSIM threshold 0.5 is below the network's minimum 0.98 (nothing was uploaded)").waitFor({ timeout: 60_000 })
    expect((await fetch(`${apiUrl}/v1/jobs?limit=10`).then(async (r) => await r.json()) as { jobs: unknown[] }).jobs).toHaveLength(1)
    // Stricter than the floor: taken.
    await page.fill('#ssim-min', '0.99')
    // Keyboard only from here: Tab reaches the submit button, Enter presses it.
    await page.locator('body').focus()
    for (let i = 0; i < 40 && await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id) !== 'submit-job'; i++) await page.keyboard.press('Tab')
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id)).toBe('submit-job')
    await page.keyboard.press('Enter')
    await expect.poll(async () => await link.getAttribute('href'), { timeout: 120_000 }).toMatch(/^#\/job\/[0-9a-f]{64}$/)
    framesJob = /^#\/job\/([0-9a-f]{64})$/.exec((await link.getAttribute('href'))!)![1]!
    expect(framesJob).not.toBe(sceneJob)
    await page.getByTestId('submit-progress').getByText(/SSIM \d\.\d{4}/).waitFor({ timeout: NODE_WORK_MS })
    await shot('submit')
  }, JOB_CASE_MS)

  it('follows the frames job to a final status with three votes, downloads its certificate and verifies that file in the page', async () => {
    await page.getByTestId('job-link').click()
    const status = await followToFinal()
    await page.waitForSelector('.chart canvas')
    await shot('job')
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('certificate-download').click()])
    expect(download.suggestedFilename()).toBe(`certificate-${framesJob.slice(0, 12)}.json`)
    certFile = join(dir, download.suggestedFilename())
    await download.saveAs(certFile)
    expect(await download.failure()).toBeNull()
    // The file is the node's certificate, byte for byte.
    expect(readFileSync(certFile, 'utf8')).toBe(await (await fetch(`${apiUrl}/v1/jobs/${framesJob}/certificate`)).text())
    expect(await verifyIn({ certificate: certFile })).toMatch(new RegExp(`^valid: ${status} in round 0, signed by base weight 3 of 3: .* of certificate-${framesJob.slice(0, 12)}\\.json check against this node's network file .*under the job's thresholds SSIM ≥ 0\\.99, PSNR ≥ 35 dB, worst-tile SSIM ≥ 0\\.9; that network file's minimum: SSIM ≥ 0\\.98, PSNR ≥ 35 dB, worst-tile SSIM ≥ 0\\.9`))
    // The panel names the job's thresholds and the network's floor of them.
    expect(await page.getByTestId('certificate-thresholds').textContent()).toMatch(/SSIM ≥ 0\.99, PSNR ≥ 35 dB, worst-tile SSIM ≥ 0\.9\..*Network minimum \(minThresholds\): SSIM ≥ 0\.98, PSNR ≥ 35 dB, worst-tile SSIM ≥ 0\.9;/s)
    // A copy with another consensus value: the votes no longer agree with it.
    const cert = JSON.parse(readFileSync(certFile, 'utf8')) as { values: { ssim: number } }
    cert.values.ssim = cert.values.ssim > 0.5 ? cert.values.ssim - 0.25 : cert.values.ssim + 0.25
    writeFileSync(join(dir, 'tampered.json'), JSON.stringify(cert))
    expect(await verifyIn({ certificate: join(dir, 'tampered.json') })).toMatch(/^INVALID: ERR_CERT_DISAGREES: .*tampered\.json/)
    // The downloaded file against a network file where one validator weighs more: not this network.
    const network = JSON.parse(readFileSync(cluster!.networkFile, 'utf8')) as { validators: Array<{ weight: number }> }
    network.validators[0]!.weight = 2
    writeFileSync(join(dir, 'other-network.json'), JSON.stringify(network))
    expect(await verifyIn({ certificate: certFile, network: join(dir, 'other-network.json') })).toMatch(/^INVALID: ERR_CERT_NETWORK: .*other-network\.json/)
    await page.getByRole('button', { name: 'zoom SSIM map (red = low)' }).first().click()
    await page.getByRole('dialog', { name: 'zoomed image' }).waitFor()
    await page.getByRole('dialog').click()
  }, JOB_CASE_MS)

  it('follows the scene job the network optimized to a final status with its evidence', async () => {
    await page.goto(`${apiUrl}/ui/#/job/${sceneJob}`)
    await followToFinal()
    expect(await page.locator('p.summary').textContent()).toMatch(/scene .*re-execution hash matches/)
    // The node's evidence of the scene: renders of the worst and random views, side by side.
    expect(await page.getByText(/^Round 0, scenes:/).count()).toBe(1)
    // The optimizer report of the optimization that made the candidate: its output is the job's candidate.
    await page.getByTestId('optimizer-report').waitFor({ timeout: 60_000 })
    expect(await page.getByTestId('optimizer-output-check').textContent()).toBe('= the job’s candidate')
    expect(await page.locator('table.figures tbody tr').count()).toBe(8)
    expect(await page.locator('ol.operations li').count()).toBeGreaterThan(3)
    await shot('scene-job')
    // The frames job's certificate is not this job's.
    expect(await verifyIn({ certificate: certFile })).toMatch(/^INVALID: ERR_CERT_JOB: /)
  }, JOB_CASE_MS)

  it('shows a failed read of a job as an error and reads the job again until the node answers', async () => {
    // The node answers the Job page's first read of the frames job with 503, as a busy store does.
    let refused = 0
    await page.route((url) => url.pathname === `/v1/jobs/${framesJob}`, async (route) => {
      refused++
      await route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'ERR_STORE_BUSY', message: 'the store is busy' } }) })
    }, { times: 1 })
    await page.goto(`${apiUrl}/ui/#/job/${framesJob}`)
    await page.getByRole('alert').getByText('the store is busy').waitFor()
    // No event comes for a final job: the page tries again by itself and shows the job.
    await threeVotesShown()
    expect(refused).toBe(1)
    expect(await page.getByRole('alert').count()).toBe(0)
    expect(await page.getByTestId('job-status').textContent()).toMatch(/^(validated|rejected)$/)
  }, JOB_CASE_MS)

  it('pages the Jobs list through the node\'s index and filters by status on the node', async () => {
    const asked: URL[] = []
    const onRequest = (r: { url: () => string }): void => { const u = new URL(r.url()); if (u.pathname === '/v1/jobs') asked.push(u) }
    page.on('request', onRequest)
    const jobs = (await (await fetch(`${apiUrl}/v1/jobs`)).json() as { jobs: Array<{ jobId: string, status: string }> }).jobs
    expect(jobs.map((j) => j.jobId)).toEqual([framesJob, sceneJob])
    // A page of one job: the newest, then the next one after it through "Show more".
    await page.goto(`${apiUrl}/ui/#/jobs?size=1`)
    await expect.poll(listed, { timeout: 60_000 }).toEqual([framesJob])
    await page.click('#more-jobs')
    await expect.poll(listed, { timeout: 60_000 }).toEqual([framesJob, sceneJob])
    expect(await page.locator('#more-jobs').count()).toBe(0)
    expect(asked.map((u) => [u.searchParams.get('limit'), u.searchParams.get('before')])).toEqual([['2', null], ['2', framesJob]])
    // The filter is the node's: the request names the status and the list holds only that status's jobs.
    const status = jobs[1]!.status
    await page.getByLabel('Status').selectOption(status)
    await expect.poll(listed, { timeout: 60_000 }).toEqual(jobs.filter((j) => j.status === status).map((j) => j.jobId).slice(0, 1))
    expect(asked.at(-1)!.searchParams.get('status')).toBe(status)
    expect(asked.every((u) => u.searchParams.get('limit') === '2')).toBe(true)
    page.off('request', onRequest)
  })

  it('verifies the audit chain in the page and shows the network', async () => {
    await page.getByRole('link', { name: 'Audit' }).click()
    await page.click('#verify-chain')
    await expect.poll(async () => await page.getByTestId('chain-result').textContent(), { timeout: 60_000 }).toMatch(/^valid: the head [0-9a-f]{12}… is signed by the node key [0-9a-f]{12}… in network local-[0-9a-f]{8}; \d+ entries/)
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
    const validators = page.locator('table.validators tbody tr')
    await expect.poll(async () => await validators.count(), { timeout: 60_000 }).toBe(3)
    expect(await page.locator('dl.info').textContent()).toMatch(/network id\s*local-[0-9a-f]{8}/)
    await page.getByRole('heading', { name: 'Peers (2 connected)' }).waitFor({ timeout: 60_000 })
    // Trust over time from the node's stored history: the jobs decided above changed the validators' reputations.
    await page.getByTestId('trust-history').locator('canvas').first().waitFor({ timeout: 60_000 })
    await shot('network')
  })

  it('shows a node that goes away as disconnected, and recovers when it comes back', async () => {
    await page.goto(`${apiUrl}/ui/#/jobs`)
    await expect.poll(listed, { timeout: 60_000 }).toEqual([framesJob, sceneJob])
    expect(await cluster!.stop('node1')).toBe(0)
    await page.getByTestId('connection').getByText('disconnected', { exact: true }).waitFor({ timeout: 60_000 })
    // The same node, data and port: the page reconnects by itself and re-reads its list.
    await cluster!.start('node1')
    await page.getByTestId('connection').getByText('live', { exact: true }).waitFor({ timeout: 120_000 })
    // The list it re-reads replaces the rows it shows, which stay meanwhile (never an empty list).
    expect(await listed()).toEqual([framesJob, sceneJob])
    await expect.poll(listed, { timeout: 60_000 }).toEqual([framesJob, sceneJob])
  })
})
