/**
 * Image measurement: bounded PNG decoding, SSIM, PSNR and the measurement of
 * a candidate frame set against a reference by the deterministic sampling
 * plan (protocol/sampling). Computation only; no network, no clock.
 */
export * from './errors.ts'
export { cropImage, downscale2x, lumaPlane, changeLuma } from './image.ts'
export type { LumaPlane, RgbaImage } from './image.ts'
export { decodePng, readPngHeader, DEFAULT_PNG_LIMITS } from './png.ts'
export type { PngHeader, PngLimits } from './png.ts'
export { ssim, ssimLuma, DEFAULT_SSIM_OPTIONS } from './ssim.ts'
export type { SsimOptions } from './ssim.ts'
export { psnr, psnrFromMse, mseRgb } from './psnr.ts'
export { measureFrames, DEFAULT_MEASURE_FRAMES_OPTIONS } from './measure-frames.ts'
export type { FrameMeasurement, MeasureFramesOptions, SampleMeasurement } from './measure-frames.ts'
export { frameMeasurementToWire } from './wire.ts'
export type { FrameMeasurementWire } from './wire.ts'
