// Registers the launcher's cache of type-stripped TypeScript (bin/ts-cache.js)
// on import, for a TypeScript entry point other than the CLI:
// `node --import ./bin/ts-cache-register.js sim/node-host.ts SPEC` loads the
// entry and every project module it imports from the cache, as the
// `trust-engine` launcher does for the CLI (docs/cli.md).
import { registerTsCache } from './ts-cache.js'

registerTsCache()
