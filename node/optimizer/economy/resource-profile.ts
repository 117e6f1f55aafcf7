/**
 * A node's compute resource as the economy scheduler prices it: kind, cost
 * per hour, power draw and the carbon intensity of its grid.
 */
import { z } from 'zod'
import { ERR_SCHEDULE_INVALID, fail } from '../errors.ts'

/** Resource kinds of the seed. */
export const RESOURCE_KINDS = ['consumer', 'datacenter', 'cloud', 'edge', 'distributed'] as const
/** A resource kind. */
export type ResourceKind = typeof RESOURCE_KINDS[number]

/** True when `name` is one of {@link RESOURCE_KINDS}. */
export function isResourceKind (name: string): name is ResourceKind {
  return (RESOURCE_KINDS as readonly string[]).includes(name)
}

/** How a node's compute is priced and what it emits. */
export interface ResourceProfile {
  kind: ResourceKind
  /** USD per compute hour at standard price (multiplier 1). */
  costPerHour: number
  /** Power draw while computing, kW. */
  powerKw: number
  /** Carbon intensity of the grid, kg CO2 per kWh. */
  gridKgPerKwh: number
}

// Grid intensity 0.5 kg/kWh: the middle of the seed's 0.2-0.8 range.
const GRID = 0.5

/** Default profile of each kind. Costs are the original system's example resources; power from the seed where it gives one. */
export const DEFAULT_RESOURCE_PROFILES: Readonly<Record<ResourceKind, Readonly<ResourceProfile>>> = Object.freeze({
  // Original example: consumer RTX 4090 at 0.5 USD/h; seed digest: about 0.3 kW.
  consumer: { kind: 'consumer', costPerHour: 0.5, powerKw: 0.3, gridKgPerKwh: GRID },
  // Original example: datacenter A100 at 2.5 USD/h; seed digest: about 0.5 kW.
  datacenter: { kind: 'datacenter', costPerHour: 2.5, powerKw: 0.5, gridKgPerKwh: GRID },
  // Original example: cloud V100 at 1.2 USD/h; datacenter-class power, 0.5 kW.
  cloud: { kind: 'cloud', costPerHour: 1.2, powerKw: 0.5, gridKgPerKwh: GRID },
  // Original example: edge Jetson network at 0.05 USD/h; a Jetson-class module draws about 0.03 kW.
  edge: { kind: 'edge', costPerHour: 0.05, powerKw: 0.03, gridKgPerKwh: GRID },
  // Original example: volunteer compute at 0.1 USD/h; consumer hardware, 0.3 kW.
  distributed: { kind: 'distributed', costPerHour: 0.1, powerKw: 0.3, gridKgPerKwh: GRID }
})

/** zod schema of a resource profile in a node's configuration. */
export const resourceProfileSchema = z.object({
  kind: z.enum(RESOURCE_KINDS),
  costPerHour: z.number().min(0).max(1_000_000),
  powerKw: z.number().min(0).max(100_000),
  gridKgPerKwh: z.number().min(0).max(5)
}).strict()

/** Validates a profile; fields not given come from the default of its kind (consumer if none). */
export function resolveResourceProfile (profile: Partial<ResourceProfile> = {}): ResourceProfile {
  const kind = profile.kind ?? 'consumer'
  const base = DEFAULT_RESOURCE_PROFILES[kind as ResourceKind] ?? DEFAULT_RESOURCE_PROFILES.consumer
  const parsed = resourceProfileSchema.safeParse({ ...base, ...profile })
  if (!parsed.success) fail(ERR_SCHEDULE_INVALID, `invalid resource profile: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`)
  return parsed.data
}
