/**
 * The independent check of the renderer: three.js's MeshStandardMaterial,
 * loading the same generated GLB files through its GLTFLoader, renders them
 * in Debian's Chromium (software WebGL through SwiftShader) under the same
 * cameras, the files' punctual lights and a constant environment; each view
 * is compared with ours and the per-view PSNR and SSIM are printed. The mean
 * PSNR must stay at or above 30 dB (docs/renderer.md explains what differs).
 *
 * Runs when /usr/bin/chromium exists (.ci/run installs it); otherwise skipped,
 * saying why. three.js is served from node_modules by request interception:
 * nothing is fetched from the network, no browser is downloaded.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, normalize } from 'node:path'
import { PNG } from 'pngjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { psnr } from '../../../node/measure/psnr.ts'
import { ssim } from '../../../node/measure/ssim.ts'
import { constantEnvironment } from '../../../node/render/environment.ts'
import { loadRenderScene } from '../../../node/render/load.ts'
import { renderScene } from '../../../node/render/render.ts'
import { pbrScene } from './pbr-scenes.ts'
import { toGlb } from './scenes.ts'

const CHROMIUM = '/usr/bin/chromium'
const HAVE_CHROMIUM = existsSync(CHROMIUM)
if (!HAVE_CHROMIUM) console.log(`three.js comparison skipped: ${CHROMIUM} is not installed (apt-get install chromium; .ci/run installs it)`)

const SIZE = 256
const ENV = 0.4
const ORIGIN = 'http://three.local'

type BrowserContext = import('playwright-core').BrowserContext
type Page = import('playwright-core').Page

interface View { eye: [number, number, number], target: [number, number, number] }
const VIEWS: View[] = [
  { eye: [0, 0.3, 3.2], target: [0, 0, 0] },
  { eye: [2.2, 1.2, 2.2], target: [0, 0, 0] },
  { eye: [-2.5, -0.6, 1.8], target: [0, 0, 0] },
  { eye: [0.8, 2.6, 1.6], target: [0, 0, 0] }
]
const FOCAL = 2
const NEAR = 0.05

const LIGHTS = [
  { type: 'directional' as const, position: [0, 0, 0] as [number, number, number], rotation: [-0.3535533905932738, 0.3535533905932738, 0.14644660940672624, 0.8535533905932737] as [number, number, number, number], color: [1, 0.97, 0.9] as [number, number, number], intensity: 2.5 },
  { type: 'point' as const, position: [-1.8, 1.2, 2] as [number, number, number], color: [0.7, 0.8, 1] as [number, number, number], intensity: 6 }
]

/** The generated scenes compared: full maps with file tangents, and without normal map. */
const SCENES: Array<{ name: string, build: () => ReturnType<typeof pbrScene> }> = [
  { name: 'pbr-all-maps', build: () => pbrScene({ lights: LIGHTS }) },
  { name: 'pbr-no-normal-map', build: () => pbrScene({ lights: LIGHTS, normalMap: false, occlusionMap: false }) }
]

function decodeDataUrl (url: string): { width: number, height: number, data: Uint8Array } {
  const png = PNG.sync.read(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64'))
  return { width: png.width, height: png.height, data: new Uint8Array(png.data) }
}

describe.skipIf(!HAVE_CHROMIUM)('independent check with three.js in Chromium', () => {
  let browser: BrowserContext | undefined
  let page: Page
  let profile: string

  beforeAll(async () => {
    const { chromium } = await import('playwright-core')
    profile = await mkdtemp(join(tmpdir(), 'te-chromium-'))
    // a fresh profile directory (playwright passes it as --user-data-dir)
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: SIZE, height: SIZE },
      deviceScaleFactor: 1,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader']
    })
    page = browser.pages()[0] ?? await browser.newPage()
    const threeRoot = normalize(join(process.cwd(), 'node_modules', 'three'))
    const pagePath = join(process.cwd(), 'test', 'node', 'render', 'threejs', 'page.html')
    // every request is answered locally: the page, and three.js files under node_modules/three; anything else is refused
    await page.route('**/*', async (route) => {
      const url = new URL(route.request().url())
      if (url.origin !== ORIGIN) { await route.abort(); return }
      if (url.pathname === '/') { await route.fulfill({ body: await readFile(pagePath), contentType: 'text/html' }); return }
      const file = normalize(join(threeRoot, url.pathname.replace(/^\/three\//, '')))
      if (!url.pathname.startsWith('/three/') || !file.startsWith(threeRoot + '/') || !existsSync(file)) { await route.fulfill({ status: 404, body: '' }); return }
      await route.fulfill({ body: await readFile(file), contentType: 'text/javascript' })
    })
    await page.goto(`${ORIGIN}/`)
    await page.waitForFunction(() => (globalThis as unknown as { ready?: boolean }).ready === true, undefined, { timeout: 120_000 })
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    if (profile !== undefined) await rm(profile, { recursive: true, force: true })
  })

  it('three.js MeshStandardMaterial and our renderer agree at ≥ 30 dB PSNR on average', async () => {
    const fovDeg = 2 * Math.atan(1 / FOCAL) * 180 / Math.PI // test-side conversion for three.js only
    const psnrs: number[] = []
    const ssims: number[] = []
    for (const s of SCENES) {
      const glb = await toGlb(s.build())
      const ours = await loadRenderScene(glb, { maxTexturePixels: 1 << 24 })
      const urls = await page.evaluate(
        async ([b64, views, size, env]) => await (globalThis as unknown as { renderViews: (...a: unknown[]) => Promise<string[]> }).renderViews(b64, views, size, env),
        [Buffer.from(glb).toString('base64'), VIEWS.map((v) => ({ ...v, fovDeg, near: NEAR })), SIZE, ENV] as const
      )
      VIEWS.forEach((v, i) => {
        const theirs = decodeDataUrl(urls[i]!)
        const mine = renderScene(ours, { eye: v.eye, target: v.target, up: [0, 1, 0], focal: FOCAL, near: NEAR }, {
          width: SIZE,
          height: SIZE,
          lighting: { environment: constantEnvironment(ENV, ENV, ENV), environmentIntensity: 1, keyLights: [], sceneLights: true }
        }).image
        const p = psnr(mine, theirs); const q = ssim(mine, theirs)
        psnrs.push(p); ssims.push(q)
        console.log(`three.js check ${s.name} view ${i}: PSNR ${p.toFixed(2)} dB, SSIM ${q.toFixed(4)}`)
      })
    }
    const meanPsnr = psnrs.reduce((a, b) => a + b, 0) / psnrs.length
    const meanSsim = ssims.reduce((a, b) => a + b, 0) / ssims.length
    console.log(`three.js check mean over ${psnrs.length} views: PSNR ${meanPsnr.toFixed(2)} dB, SSIM ${meanSsim.toFixed(4)}`)
    expect(meanPsnr).toBeGreaterThanOrEqual(30)
  }, 600_000)
})
