/**
 * The deterministic software renderer for glTF scenes (see docs/renderer.md).
 *
 * - {@link measureScenes}: original vs candidate scene bytes → SSIM/PSNR over seeded views.
 * - {@link prepareSceneReference} + {@link measureAgainstReference}: several candidates against one original, rendered once.
 * - {@link loadRenderScene} + {@link renderScene}: bytes → prepared scene → RGBA8 pixels.
 * - {@link drawViews} / {@link sceneBounds}: the seeded cameras and the sphere they circle.
 */
export { type BoundingSphere, sceneBounds } from './bounds.ts'
export { checkBudget, DEFAULT_RENDER_BUDGET_OPTIONS, type RenderBudgetOptions } from './budget.ts'
export { type Camera, DEFAULT_FOCAL } from './camera.ts'
export {
  ERR_RENDER_BAD_BOUNDS, ERR_RENDER_BUDGET, ERR_RENDER_EMPTY_SCENE, ERR_RENDER_OPTIONS, ERR_RENDER_TEXTURE, ERR_RENDER_UNSUPPORTED
} from './errors.ts'
export { BACKGROUND_SRGB8, type RgbaPixels } from './framebuffer.ts'
export { loadRenderScene, type LoadRenderSceneOptions } from './load.ts'
export {
  DEFAULT_MEASURE_SCENES_OPTIONS, type MeasureAgainstOptions, measureAgainstReference, measureScenes, type MeasurePhase, type MeasureScenesOptions, type SceneMeasurement, type ScenePlan, type SceneSampleMeasurement
} from './measure-scene.ts'
export { prepareSceneReference, SceneReference, type SceneReferenceOptions } from './scene-reference.ts'
export { ERR_RENDER_MESHOPT, unpackMeshopt } from './meshopt-unpack.ts'
export type { RasterStats } from './rasterizer.ts'
export { DEFAULT_SUPERSAMPLE, renderScene, type RenderOptions, type RenderResult, type ShadingModel } from './render.ts'
export { prepareScene, type PreparedScene, SUPPORTED_EXTENSIONS } from './scene-reader.ts'
export { MIN_ROUGHNESS } from './shading.ts'
export { DEFAULT_PBR_LIGHTING, type PbrLightingOptions } from './pbr-lighting.ts'
export { DEFAULT_LIGHTING_OPTIONS, type LightingOptions } from './shading-lambert.ts'
export { constantEnvironment, ENVIRONMENT_VERSION, quadraticEnvironment, type QuadraticEnvironment, STUDIO_ENVIRONMENT } from './environment.ts'
export { type KeyLight, MAX_SCENE_LIGHTS } from './lights.ts'
export { APPEARANCE_NOT_RENDERED } from './material-reader.ts'
export { DEFAULT_VIEW_OPTIONS, drawViews, type SceneView, type ViewOptions } from './views.ts'
