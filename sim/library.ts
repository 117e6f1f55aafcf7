/**
 * The library of named scenarios shipped in sim/scenarios/ (one JSON file
 * each), and the lookup `trust-engine sim run NAME|FILE` uses.
 */
import { existsSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { type Scenario, loadScenario } from './scenario.ts'

/** Folder of the named scenarios. */
export const SCENARIO_DIR = resolve(import.meta.dirname, 'scenarios')

/** Names of the shipped scenarios, sorted. */
export function scenarioNames (): string[] {
  return readdirSync(SCENARIO_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort()
}

/** A shipped scenario by name, or a scenario file by path. */
export function resolveScenario (nameOrPath: string): Scenario {
  const named = join(SCENARIO_DIR, `${nameOrPath}.json`)
  return loadScenario(/^[a-z0-9-]+$/.test(nameOrPath) && existsSync(named) ? named : nameOrPath)
}
