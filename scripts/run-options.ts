/**
 * Command-line options of the long-run commands (`npm run soak`,
 * `npm run crashloop`): flags read with node:util parseArgs, numbers taken
 * only in plain decimal, the values checked with the command's zod schema,
 * and every refusal a typed error of the command's code naming the flag.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import type { z } from 'zod'
import { TrustEngineError } from '../protocol/errors.ts'

/** The flags given, by name; an unknown flag or a missing value is `code`. */
export function readFlags (argv: string[], options: NonNullable<ParseArgsConfig['options']>, code: string): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>
  } catch (err) {
    throw new TrustEngineError(code, (err as Error).message)
  }
}

/** A flag's number (plain decimal), `otherwise` when the flag is absent, NaN (refused by the schema) when it is not a number. */
export function flagNumber (value: string | boolean | undefined, otherwise: number): number {
  return value === undefined ? otherwise : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN
}

/** A folder name for a run's results from its start time (no characters a file system refuses). */
export function runStamp (now: Date): string {
  return now.toISOString().replace(/[:.]/g, '-')
}

/**
 * `input` checked with `schema`; the first problem is `code` with the flag's
 * name (`flags` maps option names that differ from their flag).
 */
export function checkOptions<T> (schema: z.ZodType<T>, input: unknown, flags: Readonly<Record<string, string>>, code: string): T {
  const r = schema.safeParse(input)
  if (r.success) return r.data
  const issue = r.error.issues[0]!
  const flag = flags[String(issue.path[0])] ?? String(issue.path[0])
  throw new TrustEngineError(code, `--${flag}: ${issue.message}`)
}
