// Preloaded into a benchmarked process (`node -r`): when the process exits it
// writes its CPU time (user + system, all its threads, in ms) to the file
// named by TRUST_ENGINE_BENCH_CPU_FILE. CPU time moves far less than wall
// time when other work shares the machine's cores.
const { writeFileSync } = require('node:fs')

const file = process.env.TRUST_ENGINE_BENCH_CPU_FILE
if (file !== undefined) {
  process.on('exit', () => {
    const usage = process.resourceUsage()
    writeFileSync(file, String((usage.userCPUTime + usage.systemCPUTime) / 1000))
  })
}
