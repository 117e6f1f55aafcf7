/** Preact with htm's tagged templates: components without a JSX compile step. */
import htm from 'htm'
import { h } from 'preact'

/** `html\`<div class=${c}>...</div>\`` builds Preact elements. */
export const html = htm.bind(h)

/** A number with `digits` decimals, `∞` for Infinity, `—` for none. */
export function num (v: number | 'Infinity' | null | undefined, digits = 4): string {
  if (v === null || v === undefined) return '—'
  if (v === 'Infinity' || v === Infinity) return '∞'
  return v.toFixed(digits)
}

/** The first characters of a hex id. */
export function short (id: string, n = 12): string {
  return id.length > n ? `${id.slice(0, n)}…` : id
}

/** Time since `ms` (epoch milliseconds), coarse. */
export function age (ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min`
  if (s < 86400) return `${Math.floor(s / 3600)} h`
  return `${Math.floor(s / 86400)} d`
}
