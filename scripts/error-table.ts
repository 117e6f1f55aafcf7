/**
 * The table of every error code, docs/errors.md, made from the code itself.
 *
 * Codes are found by reading the source tree, not by trusting a list: every
 * `ERR_*` token in the TypeScript files of {@link SOURCE_FOLDERS} (code,
 * comments and strings alike) is a code that must be declared; every
 * `export const ERR_… = declareCode('ERR_…', …)` names the file that declares
 * it and, in the doc comment above it, what it means. The declarations
 * themselves (gossip action, HTTP status) come from `declareCode`'s registry
 * after importing every declaring file, so the table shows what the code
 * does, not what a comment says.
 *
 * `node scripts/error-table.ts` writes docs/errors.md;
 * `node scripts/error-table.ts --check` exits with 1 when it is out of date.
 * test/protocol/error-codes.test.ts fails on an undeclared code or a stale
 * table.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { type CodeDeclaration, declaredCodes } from '../protocol/errors.ts'

/** The repository root (one folder above this file). */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url))

/** Folders whose TypeScript files are read for codes (tests are not: they may name codes that must not exist). */
export const SOURCE_FOLDERS = ['protocol', 'node', 'sim', 'scripts', 'console/src'] as const

/** Codes this code base reads from others but never throws, with whose they are. */
export const FOREIGN_CODES: Readonly<Record<string, string>> = {
  ERR_HTTP_REQUEST_TIMEOUT: 'Node.js: the HTTP server\'s request timeout (node/api/server.ts answers it as ERR_REQUEST_TIMEOUT)'
}

/** Where the table is written. */
export const TABLE_PATH = 'docs/errors.md'

/**
 * A code token: `ERR_` then capitals, digits and underscores, not ending in
 * `_` and not followed by `*` (so `ERR_SCENE_*`, a family named in prose,
 * and prefixes such as `'ERR_AUDIT_'` are not codes); not preceded by a word
 * character (so `FST_ERR_…`, fastify's own codes, are not ours).
 */
const CODE_TOKEN = /\bERR_[A-Z0-9_]*[A-Z0-9](?![A-Z0-9_*])/g

/** `export const ERR_… = declareCode('ERR_…'` at the start of a line, with the doc comment before it. */
const DECLARATION = /(?:\/\*\*((?:[^*]|\*(?!\/))*)\*\/\s*)?^export const (ERR_[A-Z0-9_]+) = declareCode\('(ERR_[A-Z0-9_]+)'/gm

/** Every `.ts` file under the source folders, as repository paths with `/`, sorted. */
export function sourceFiles (root: string = REPO_ROOT): string[] {
  const out: string[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(path)
      } else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        out.push(relative(root, path).split(sep).join('/'))
      }
    }
  }
  for (const folder of SOURCE_FOLDERS) walk(join(root, folder))
  return out.sort()
}

/** Every code token in the source files, with the files that name it. */
export function codeMentions (root: string = REPO_ROOT): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const file of sourceFiles(root)) {
    for (const [code] of readFileSync(join(root, file), 'utf8').matchAll(CODE_TOKEN)) {
      const files = out.get(code) ?? []
      if (!files.includes(file)) files.push(file)
      out.set(code, files)
    }
  }
  return out
}

/** One declaration site: the file and the doc comment's text (empty when there is none). */
export interface DeclarationSite {
  file: string
  doc: string
}

/** Every `export const ERR_… = declareCode('ERR_…', …)` in the source files, by code. */
export function declarationSites (root: string = REPO_ROOT): Map<string, DeclarationSite[]> {
  const out = new Map<string, DeclarationSite[]>()
  for (const file of sourceFiles(root)) {
    const text = readFileSync(join(root, file), 'utf8')
    if (!text.includes('declareCode(')) continue
    for (const m of text.matchAll(DECLARATION)) {
      if (m[2] !== m[3]) throw new Error(`${file}: constant ${m[2]!} declares the code ${m[3]!}`)
      const doc = (m[1] ?? '').split('\n').map((line) => line.replace(/^\s*\*\s?/, '').trim()).join(' ').replace(/\s+/g, ' ').trim()
        .replace(/^Code(?: of|:) (\S)/, (_, first: string) => first.toUpperCase())
      const sites = out.get(m[2]!) ?? []
      sites.push({ file, doc })
      out.set(m[2]!, sites)
    }
  }
  return out
}

/** Imports every file that declares codes and returns the registry's declarations. */
export async function loadDeclarations (root: string = REPO_ROOT): Promise<Map<string, CodeDeclaration>> {
  const files = new Set([...declarationSites(root).values()].flatMap((sites) => sites.map((s) => s.file)))
  for (const file of [...files].sort()) await import(pathToFileURL(join(root, file)).href)
  return new Map(declaredCodes())
}

/** What is wrong with the codes of the tree: named but undeclared, declared without a doc comment, declared but not loaded. */
export function codeProblems (mentions: Map<string, string[]>, sites: Map<string, DeclarationSite[]>, declared: Map<string, CodeDeclaration>): string[] {
  const problems: string[] = []
  for (const [code, files] of [...mentions].sort(([a], [b]) => a.localeCompare(b))) {
    if (FOREIGN_CODES[code] !== undefined) continue
    if (!sites.has(code)) problems.push(`${code} (named in ${files.join(', ')}) has no \`export const ${code} = declareCode('${code}', { action, status })\``)
  }
  for (const [code, list] of sites) {
    if (!declared.has(code)) problems.push(`${code} (${list.map((s) => s.file).join(', ')}) is not in the registry after importing its file`)
    for (const s of list) if (s.doc === '') problems.push(`${code} in ${s.file} has no doc comment`)
  }
  return problems
}

const escapeCell = (text: string): string => text.replace(/\|/g, '\\|')

/** The Markdown of docs/errors.md. */
export function renderTable (sites: Map<string, DeclarationSite[]>, declared: Map<string, CodeDeclaration>): string {
  const rows = [...sites.keys()].sort().map((code) => {
    const d = declared.get(code)
    const list = sites.get(code)!
    const where = list.map((s) => `\`${s.file}\``).join(', ')
    return `| \`${code}\` | ${d?.status ?? '?'} | ${d?.action ?? '?'} | ${where} | ${escapeCell(list[0]!.doc)} |`
  })
  const foreign = Object.entries(FOREIGN_CODES).map(([code, what]) => `- \`${code}\`: ${what}`)
  return [
    '# Error codes',
    '',
    '<!-- Generated by `node scripts/error-table.ts` from the source tree; test/protocol/error-codes.test.ts fails when this file is stale. Do not edit by hand. -->',
    '',
    'Every error that crosses a boundary is a `TrustEngineError` with one of these',
    'codes (docs/architecture.md, "Errors"). Each is declared beside its constant',
    'with `declareCode(code, { action, status })`:',
    '',
    '- **status**: the HTTP status the API answers with the code. 400 the',
    '  request or input is malformed; 401/403 not allowed; 404 no such thing;',
    '  409 it conflicts with what exists (a duplicate, a lock, a file that',
    '  exists); 413 too large; 422 well formed but refused by a rule (limits,',
    '  a certificate that does not verify); 429 over a rate or quota of a',
    '  peer or client; 500 this node\'s own failure (I/O, a corrupt store, a',
    '  bug); 502 a peer or node answered something malformed; 503 the node or',
    '  a peer cannot do it now (stopping, unreachable, busy); 504 it ran out of',
    '  time; 507 out of storage. Codes that only a command or a start-up can',
    '  meet carry the status of their kind all the same.',
    '- **action**: what gossip validation does with a message whose check threw',
    '  the code, unless the thrower says otherwise. `reject` (the peer is',
    '  penalised) only when the code proves the sending peer sent an invalid',
    '  message; `ignore` for everything else, this node\'s own failures',
    '  included.',
    '',
    'Codes are public (clients, tests and metrics match on them) and are never',
    'renamed. A code that no module declares would answer 500 and `ignore`;',
    'the test of this table fails on any `ERR_*` token in `protocol/`, `node/`,',
    '`sim/`, `scripts/` or `console/src/` that is not declared.',
    '',
    '| code | status | action | declared in | meaning |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    'Codes of others that the code base reads but never throws:',
    '',
    ...foreign,
    ''
  ].join('\n')
}

/** Reads the tree, checks it and returns the table, or the problems found. */
export async function buildTable (root: string = REPO_ROOT): Promise<{ table: string, problems: string[] }> {
  const sites = declarationSites(root)
  const declared = await loadDeclarations(root)
  const problems = codeProblems(codeMentions(root), sites, declared)
  return { table: renderTable(sites, declared), problems }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { table, problems } = await buildTable()
  if (problems.length > 0) {
    process.stderr.write(`error codes:\n${problems.map((p) => `  ${p}`).join('\n')}\n`)
    process.exit(1)
  }
  const path = join(REPO_ROOT, TABLE_PATH)
  if (process.argv.includes('--check')) {
    const current = readFileSync(path, 'utf8')
    if (current !== table) {
      process.stderr.write(`${TABLE_PATH} is out of date: run node scripts/error-table.ts\n`)
      process.exit(1)
    }
  } else {
    writeFileSync(path, table)
    process.stdout.write(`${TABLE_PATH}: ${table.split('\n').filter((l) => l.startsWith('| `')).length} codes\n`)
  }
  process.exit(0)
}
