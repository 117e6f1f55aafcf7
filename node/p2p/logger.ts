/** The logger used when a caller passes none. */
import { pino, type Logger } from 'pino'

let silent: Logger | undefined

/** A pino logger that writes nothing (shared, created on first use). */
export function silentLogger (): Logger {
  silent ??= pino({ level: 'silent' })
  return silent
}
