// Preloaded with `node --import` by tests of start-up: on exit, writes the Node built-in modules the process loaded
// to stderr, as one line `builtins: a,b,c` (internal ones left out).
process.on('exit', () => {
  const names = process.moduleLoadList
    .filter((m) => m.startsWith('NativeModule ') && !m.startsWith('NativeModule internal/'))
    .map((m) => m.slice('NativeModule '.length))
  process.stderr.write(`builtins: ${names.join(',')}\n`)
})
