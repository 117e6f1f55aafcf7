/**
 * The list of CLI commands. Each entry declares one command on the program;
 * add a command by adding its file here.
 */
import type { Command } from 'commander'

/** Declares one command (its flags and action) on the program. */
export type RegisterCommand = (program: Command) => void

/** Every command of `trust-engine`, in the order `--help` lists them. */
export const COMMANDS: RegisterCommand[] = [
]
