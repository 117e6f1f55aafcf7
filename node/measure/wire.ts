/**
 * JSON form of a frame measurement: every metric value goes through
 * `metricToWire` (protocol/metrics.ts), so an infinite PSNR is the string
 * `"Infinity"` and the result can be encoded canonically, printed or stored.
 */
import { intervalsToWire, metricsToWire, metricToWire } from '../../protocol/metrics.ts'
import type { MetricName, MetricValue, Metrics } from '../../protocol/metrics.ts'
import type { FrameSamplePlan, SampleKind, SampleRect } from '../../protocol/sampling/plan.ts'
import type { FrameMeasurement } from './measure-frames.ts'

/** A {@link FrameMeasurement} in wire (JSON) form. */
export interface FrameMeasurementWire {
  metrics: Metrics
  intervals: Record<MetricName, [MetricValue, MetricValue]>
  samples: number
  plan: FrameSamplePlan
  perSample: Array<{ kind: SampleKind, frame: number, rect?: SampleRect, ssim: MetricValue, worstTile: number, psnr: MetricValue, mse: number }>
}

/** Converts a measurement to wire form (`Infinity` → `"Infinity"`); refuses NaN and −Infinity (`ERR_METRIC_RANGE`). */
export function frameMeasurementToWire (m: FrameMeasurement): FrameMeasurementWire {
  return {
    metrics: metricsToWire(m.metrics),
    intervals: intervalsToWire(m.intervals),
    samples: m.samples,
    plan: m.plan,
    perSample: m.perSample.map((s) => ({ ...s, ssim: metricToWire(s.ssim), psnr: metricToWire(s.psnr) }))
  }
}
