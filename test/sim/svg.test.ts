/** The report's SVG charts (sim/report/svg.ts): well-formed, deterministic, with the 1/3 marker. */
import { describe, expect, it } from 'vitest'
import { histogram, lineChart } from '../../sim/report/svg.ts'
import { wilson } from '../../sim/sweep.ts'

describe('SVG charts', () => {
  it('a line chart with intervals and the 1/3 marker is deterministic', () => {
    const series = [{ name: 'inflate <colluding>', points: [{ x: 0, y: 1, lo: 0.8, hi: 1 }, { x: 0.4, y: 0, lo: 0, hi: 0.2 }] }]
    const a = lineChart(series, { title: 'Correctness', xLabel: 'share', yLabel: 'jobs', yRange: [0, 1], markers: [{ x: 1 / 3, label: '1/3' }] })
    expect(lineChart(series, { title: 'Correctness', xLabel: 'share', yLabel: 'jobs', yRange: [0, 1], markers: [{ x: 1 / 3, label: '1/3' }] })).toBe(a)
    expect(a.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
    expect(a.trimEnd().endsWith('</svg>')).toBe(true)
    expect(a).toContain('>1/3</text>')
    expect(a).toContain('inflate &lt;colluding&gt;')
    expect((a.match(/<circle /g) ?? []).length).toBe(2)
  })

  it('a histogram has one bar per bin', () => {
    const svg = histogram([1, 2, 2, 3, 10], 5, { title: 't', xLabel: 'x', yLabel: 'y' })
    expect((svg.match(/<rect x=/g) ?? []).length).toBe(5)
  })

  it('Wilson intervals contain the share and stay in [0, 1]', () => {
    const [lo, hi] = wilson(9, 10)
    expect(lo).toBeLessThan(0.9)
    expect(hi).toBeGreaterThan(0.9)
    expect(wilson(0, 5)[0]).toBe(0)
    expect(wilson(5, 5)[1]).toBe(1)
  })
})
