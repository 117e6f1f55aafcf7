/**
 * The list of CLI commands. Each entry declares one command on the program;
 * add a command by adding its file here.
 */
import type { Command } from 'commander'
import { register as node } from './node.ts'
import { register as keygen } from './keygen.ts'
import { register as audit } from './audit.ts'
import { register as store } from './store.ts'
import { register as submit } from './submit.ts'
import { register as status } from './status.ts'
import { register as networkInit } from './network-init.ts'
import { register as certificate } from './certificate.ts'
import { register as measure } from './measure.ts'
import { register as analyze } from './analyze.ts'; import { register as optimize } from './optimize.ts'; import { register as schedule } from './schedule.ts'
import { register as schedules } from './schedules.ts'
import { register as sim } from './sim.ts'

/** Declares one command (its flags and action) on the program. */
export type RegisterCommand = (program: Command) => void

/** Every command of `trust-engine`, in the order `--help` lists them. */
export const COMMANDS: RegisterCommand[] = [
  node,
  keygen, audit, store,
  submit, status, networkInit, certificate, measure,
  analyze, optimize, schedule,
  schedules,
  sim,
]
