/**
 * Builds the console's static assets, committed in console/dist/ (see
 * docs/decisions.md: production installs run without devDependencies and
 * without install scripts, so the node serves what the repository holds):
 *
 *     node console/build.ts           writes console/dist/app.js and app.css
 *     node console/build.ts --check   exits 1 when they differ from a fresh build
 *
 * esbuild bundles console/src/main.ts (Preact, htm, uPlot and the protocol's
 * canonical encoding and certificate verification, over the shims of
 * console/src/shims) into one minified ES module, and the CSS (uPlot's,
 * then the console's) into one minified file. Same sources and esbuild version, same bytes.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const HERE = dirname(fileURLToPath(import.meta.url))

/** The built assets: name and bytes. */
export async function buildConsole (): Promise<Array<{ name: string, text: string }>> {
  const js = await build({
    entryPoints: [join(HERE, 'src/main.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    write: false,
    legalComments: 'eof',
    // The protocol code verifies certificates in the page: node:crypto and Buffer from the shims (console/src/shims).
    alias: { 'node:crypto': join(HERE, 'src/shims/node-crypto.ts'), 'node:module': join(HERE, 'src/shims/node-module.ts') },
    inject: [join(HERE, 'src/shims/buffer.ts')],
    logLevel: 'silent',
    charset: 'utf8'
  })
  const css = await build({ entryPoints: [join(HERE, 'src/style.css')], bundle: true, minify: true, write: false, logLevel: 'silent', charset: 'utf8' })
  return [
    { name: 'app.js', text: js.outputFiles[0]!.text },
    { name: 'app.css', text: css.outputFiles[0]!.text }
  ]
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check')
  let stale = false
  for (const f of await buildConsole()) {
    const path = join(HERE, 'dist', f.name)
    if (check) {
      let old = ''
      try { old = readFileSync(path, 'utf8') } catch {}
      if (old !== f.text) { stale = true; console.error(`${path} differs from a fresh build: run node console/build.ts`) }
    } else {
      writeFileSync(path, f.text)
      console.log(`${f.name}: ${Buffer.byteLength(f.text)} bytes`)
    }
  }
  if (stale) process.exit(1)
}
