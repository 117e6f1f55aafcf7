/**
 * Charts with uPlot: each vote's value of one metric as a point, the
 * consensus value and its interval as lines, and the job's threshold as a
 * dashed line, so a reader sees how votes spread around the consensus and
 * where the threshold lies; and values over time (a validator's trust).
 */
import { useEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'
import { html } from './html.ts'

/** One series of a chart: values by x, a label and a colour. */
export interface Series { label: string, values: Array<number | null>, stroke: string, dash?: number[], points?: boolean }

/**
 * A uPlot chart of `series` over x = 0..n-1 (labelled by `xLabels`). Line
 * series are drawn from x = -0.5 to n - 0.5, so a level (consensus,
 * threshold) shows as a line even over a single vote.
 */
export function Chart (props: { title: string, xLabels: string[], series: Series[], height?: number }) {
  const el = useRef<HTMLDivElement>(null)
  useEffect(() => {
    if (el.current === null) return
    const width = Math.max(320, el.current.clientWidth)
    const n = props.xLabels.length
    const xs = [-0.5, ...props.xLabels.map((_, i) => i), n - 0.5]
    const padded = (s: Series): Array<number | null> => (s.points === true ? [null, ...s.values, null] : [s.values[0] ?? null, ...s.values, s.values.at(-1) ?? null])
    const plot = new uPlot({
      title: props.title,
      width,
      height: props.height ?? 220,
      scales: { x: { time: false, range: [-0.5, Math.max(0.5, n - 0.5)] } },
      axes: [{ values: (_u: uPlot, ticks: number[]) => ticks.map((t) => (Number.isInteger(t) ? props.xLabels[t] ?? '' : '')) , incrs: [1] }, {}],
      series: [{}, ...props.series.map((s) => ({
        label: s.label,
        stroke: s.stroke,
        width: s.points === true ? 0 : 1.5,
        spanGaps: false,
        ...(s.dash === undefined ? {} : { dash: s.dash }),
        points: { show: s.points === true, size: 9, fill: s.stroke }
      }))]
    }, [xs, ...props.series.map(padded)] as uPlot.AlignedData, el.current)
    return () => { plot.destroy() }
  }, [JSON.stringify(props)])
  return html`<div class="chart" ref=${el}></div>`
}

/** A uPlot chart of `series` over a time axis: `times` in epoch milliseconds, one value of each series per time (null: none yet). */
export function TimeChart (props: { title: string, times: number[], series: Series[], height?: number }) {
  const el = useRef<HTMLDivElement>(null)
  useEffect(() => {
    if (el.current === null) return
    const plot = new uPlot({
      title: props.title,
      width: Math.max(320, el.current.clientWidth),
      height: props.height ?? 220,
      scales: { x: { time: true } },
      series: [{}, ...props.series.map((s) => ({
        label: s.label,
        stroke: s.stroke,
        width: 1.5,
        ...(s.dash === undefined ? {} : { dash: s.dash }),
        points: { show: props.times.length <= 60, size: 5, fill: s.stroke }
      }))]
    }, [props.times.map((t) => t / 1000), ...props.series.map((s) => s.values)] as uPlot.AlignedData, el.current)
    return () => { plot.destroy() }
  }, [JSON.stringify(props)])
  return html`<div class="chart" ref=${el}></div>`
}
