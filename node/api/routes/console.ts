/**
 * The web console (console/): `GET /` and `GET /ui` redirect to `/ui/`, which
 * serves the page; `GET /ui/assets/:file` serves the built script and styles
 * (console/dist/, committed: see docs/decisions.md). Read-only and open like
 * the other reading routes; the page itself writes only through the API's
 * writing routes, with their token. Files come from a fixed list read once at
 * start, so no request names a path; a strict Content-Security-Policy allows
 * nothing but this origin.
 */
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import type { RegisterRoutes } from '../context.ts'
import { parseRequest } from '../schemas.ts'

const CONSOLE = new URL('../../../console/', import.meta.url)

/** The console's assets by name, with their content types. */
export const CONSOLE_ASSETS = { 'app.js': 'text/javascript; charset=utf-8', 'app.css': 'text/css; charset=utf-8' } as const

/** Path parameters of `/ui/assets/:file`. */
export const consoleAssetParamsSchema = z.strictObject({ file: z.enum(Object.keys(CONSOLE_ASSETS) as [keyof typeof CONSOLE_ASSETS]) })

/** Scripts, styles, images and connections from this origin only; no frames, no forms elsewhere. (Styles inline: uPlot sizes its elements with style attributes.) */
export const CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

/** Registers `GET /`, `GET /ui`, `GET /ui/` and `GET /ui/assets/:file`. */
export const registerConsoleRoutes: RegisterRoutes = (app) => {
  const page = readFileSync(new URL('index.html', CONSOLE))
  const assets = new Map(Object.keys(CONSOLE_ASSETS).map((name) => [name, readFileSync(new URL(`dist/${name}`, CONSOLE))]))
  const headers = { 'content-security-policy': CONSOLE_CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-cache' }
  app.get('/', async (_request, reply) => await reply.redirect('/ui/', 302))
  app.get('/ui', async (_request, reply) => await reply.redirect('/ui/', 302))
  app.get('/ui/', async (_request, reply) => await reply.headers(headers).type('text/html; charset=utf-8').send(page))
  app.get('/ui/assets/:file', async (request, reply) => {
    const { file } = parseRequest(consoleAssetParamsSchema, request.params, 'params')
    return await reply.headers(headers).type(CONSOLE_ASSETS[file]).send(assets.get(file))
  })
}
