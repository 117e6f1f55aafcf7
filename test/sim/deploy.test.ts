/**
 * The Kubernetes Job of sim/deploy/kubernetes-job.json, checked as far as a
 * machine without a cluster allows: its shape (an Indexed batch/v1 Job), one
 * completion per scenario it lists, every listed scenario shipped, and the
 * command line accepted by the CLI's own parser.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ROOT } from '../../sim/cluster.ts'
import { scenarioNames } from '../../sim/library.ts'
import { buildProgram } from '../../node/cli/main.ts'

const container = z.object({ name: z.string(), image: z.string(), command: z.array(z.string()).length(3), volumeMounts: z.array(z.object({ name: z.string(), mountPath: z.string() })) })
const job = z.object({
  apiVersion: z.literal('batch/v1'),
  kind: z.literal('Job'),
  metadata: z.object({ name: z.string().regex(/^[a-z0-9-]{1,63}$/) }),
  spec: z.object({
    completionMode: z.literal('Indexed'),
    completions: z.int().min(1),
    parallelism: z.int().min(1),
    backoffLimit: z.int().min(0),
    template: z.object({ spec: z.object({ restartPolicy: z.literal('Never'), containers: z.array(container).length(1), volumes: z.array(z.object({ name: z.string() })) }) })
  })
})

describe('the Kubernetes Job of the simulation', () => {
  const manifest = job.parse(JSON.parse(readFileSync(join(ROOT, 'sim/deploy/kubernetes-job.json'), 'utf8')))
  const script = manifest.spec.template.spec.containers[0]!.command[2]!
  const listed = /set -- ([a-z0-9 -]+);/.exec(script)![1]!.split(' ')

  it('runs one listed, shipped scenario per completion index', () => {
    expect(manifest.spec.completions).toBe(listed.length)
    for (const name of listed) expect(scenarioNames()).toContain(name)
  })

  it('mounts the results volume it writes to', () => {
    const c = manifest.spec.template.spec.containers[0]!
    expect(c.volumeMounts.map((m) => m.mountPath)).toContain('/results')
    expect(manifest.spec.template.spec.volumes.map((v) => v.name)).toContain(c.volumeMounts[0]!.name)
  })

  it('its command line parses with the CLI (sim run NAME --out DIR)', async () => {
    const program = buildProgram()
    const sim = program.commands.find((c) => c.name() === 'sim')!
    const run = sim.commands.find((c) => c.name() === 'run')!
    let seen: { names: string[], out: string } | null = null
    run.action((names: string[], flags: { out: string }) => { seen = { names, out: flags.out } })
    program.exitOverride()
    await program.parseAsync(['node', 'trust-engine', 'sim', 'run', listed[0]!, '--out', `/results/${listed[0]!}`])
    expect(seen).toEqual({ names: [listed[0]], out: `/results/${listed[0]}` })
  })
})
