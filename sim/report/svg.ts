/**
 * Small, dependency-free SVG charts for simulation reports: line charts with
 * optional error bars and a vertical marker (the 1/3 threshold), and
 * histograms. Deterministic output (fixed number formatting), so the same
 * results give byte-identical files.
 */

/** One series of a line chart: points (x, y) with an optional interval [lo, hi] per point. */
export interface Series { name: string, points: Array<{ x: number, y: number, lo?: number, hi?: number }> }

/** Options of a chart. */
export interface ChartOptions {
  title: string
  xLabel: string
  yLabel: string
  /** Fixed y range; from the data otherwise. */
  yRange?: [number, number]
  /** Vertical marker lines, e.g. `{ x: 1/3, label: '1/3' }`. */
  markers?: Array<{ x: number, label: string }>
  width?: number
  height?: number
}

/** Colours of successive series (colour-blind-safe Okabe-Ito palette). */
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000']

const f = (n: number): string => (Math.round(n * 100) / 100).toString()
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** Nice tick values spanning [lo, hi]. */
function ticks (lo: number, hi: number, count = 5): number[] {
  if (hi <= lo) return [lo]
  const raw = (hi - lo) / count
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!
  const out = []
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step)
  return out
}

function frame (o: ChartOptions, xr: [number, number], yr: [number, number], body: (x: (v: number) => number, y: (v: number) => number) => string, legend: string[]): string {
  const W = o.width ?? 640
  const H = o.height ?? 360
  const m = { l: 60, r: 150, t: 36, b: 48 }
  const x = (v: number): number => m.l + ((v - xr[0]) / (xr[1] - xr[0] || 1)) * (W - m.l - m.r)
  const y = (v: number): number => H - m.b - ((v - yr[0]) / (yr[1] - yr[0] || 1)) * (H - m.t - m.b)
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`, `<rect width="${W}" height="${H}" fill="white"/>`, `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(o.title)}</text>`]
  for (const t of ticks(xr[0], xr[1])) parts.push(`<line x1="${f(x(t))}" y1="${H - m.b}" x2="${f(x(t))}" y2="${H - m.b + 4}" stroke="#333"/><text x="${f(x(t))}" y="${H - m.b + 16}" text-anchor="middle">${f(t)}</text>`)
  for (const t of ticks(yr[0], yr[1])) parts.push(`<line x1="${m.l}" y1="${f(y(t))}" x2="${W - m.r}" y2="${f(y(t))}" stroke="#eee"/><text x="${m.l - 6}" y="${f(y(t) + 4)}" text-anchor="end">${f(t)}</text>`)
  parts.push(`<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="#333"/><line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="#333"/>`)
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 10}" text-anchor="middle">${esc(o.xLabel)}</text>`)
  parts.push(`<text transform="translate(16 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`)
  for (const mk of o.markers ?? []) {
    if (mk.x < xr[0] || mk.x > xr[1]) continue
    parts.push(`<line x1="${f(x(mk.x))}" y1="${m.t}" x2="${f(x(mk.x))}" y2="${H - m.b}" stroke="#c00" stroke-dasharray="4 3"/><text x="${f(x(mk.x) + 3)}" y="${m.t + 10}" fill="#c00">${esc(mk.label)}</text>`)
  }
  parts.push(body(x, y))
  legend.forEach((name, i) => parts.push(`<rect x="${W - m.r + 12}" y="${m.t + i * 16}" width="10" height="10" fill="${COLOURS[i % COLOURS.length]}"/><text x="${W - m.r + 26}" y="${m.t + i * 16 + 9}">${esc(name)}</text>`))
  parts.push('</svg>')
  return parts.join('\n') + '\n'
}

/** A line chart of `series`, each point with an optional error bar. */
export function lineChart (series: Series[], o: ChartOptions): string {
  const pts = series.flatMap((s) => s.points)
  const xs = pts.map((p) => p.x)
  const ys = pts.flatMap((p) => [p.y, p.lo ?? p.y, p.hi ?? p.y])
  const xr: [number, number] = xs.length === 0 ? [0, 1] : [Math.min(...xs), Math.max(...xs)]
  const yr: [number, number] = o.yRange ?? (ys.length === 0 ? [0, 1] : [Math.min(0, ...ys), Math.max(...ys) * 1.05 || 1])
  return frame(o, xr, yr, (x, y) => series.map((s, i) => {
    const c = COLOURS[i % COLOURS.length]!
    const sorted = [...s.points].sort((a, b) => a.x - b.x)
    const line = sorted.length > 1 ? `<polyline fill="none" stroke="${c}" stroke-width="2" points="${sorted.map((p) => `${f(x(p.x))},${f(y(p.y))}`).join(' ')}"/>` : ''
    const dots = sorted.map((p) => `${p.lo !== undefined && p.hi !== undefined ? `<line x1="${f(x(p.x))}" y1="${f(y(p.lo))}" x2="${f(x(p.x))}" y2="${f(y(p.hi))}" stroke="${c}"/>` : ''}<circle cx="${f(x(p.x))}" cy="${f(y(p.y))}" r="3" fill="${c}"/>`).join('')
    return line + dots
  }).join('\n'), series.map((s) => s.name))
}

/** A histogram of `values` in `bins` equal bins. */
export function histogram (values: number[], bins: number, o: ChartOptions): string {
  const lo = values.length === 0 ? 0 : Math.min(...values)
  const hi = values.length === 0 ? 1 : Math.max(...values)
  const width = (hi - lo) / bins || 1
  const counts = new Array<number>(bins).fill(0)
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]!++
  const top = Math.max(1, ...counts)
  return frame(o, [lo, lo + width * bins], [0, top], (x, y) => counts.map((c, i) => `<rect x="${f(x(lo + i * width))}" y="${f(y(c))}" width="${f(Math.max(1, x(lo + (i + 1) * width) - x(lo + i * width) - 1))}" height="${f(y(0) - y(c))}" fill="${COLOURS[0]}"/>`).join(''), [])
}
