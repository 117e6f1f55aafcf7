/**
 * `trust-engine store check|repair --data-dir DIR [--json]`: the checks and
 * the repair path of a stopped node's storage (docs/store.md, "Broken
 * storage").
 *
 * - `check` reads every record once and verifies the audit trail in full,
 *   as the node does at start (which checks the head's signature only), and
 *   changes nothing.
 * - `repair` runs LevelDB's repair, rebuilds the indexes derived from the
 *   records, reads every record, verifies the audit trail in full, hashes
 *   every blob (quarantining the broken ones; `--skip-blobs` does not) and
 *   prints what survived.
 *
 * Exit codes: 0 the store reads whole and its audit trail verifies; 1 it
 * does not (for `repair`: the trail is still broken, restore the data
 * folder from a backup); 2 usage or I/O error, `ERR_STORE_LOCKED` on a
 * running node's folder.
 */
import { CommanderError, type Command } from 'commander'

interface StoreFlags {
  dataDir: string
  json?: boolean
  skipBlobs?: boolean
}

/** Maps commander's usage errors (exit code 1, which here means a broken store) to exit code 2. */
function usageErrorsExit2 (err: CommanderError): never {
  if (err.exitCode === 0) throw err
  throw new CommanderError(2, err.code, err.message)
}

/** Declares `store` and its subcommands `check` and `repair`. */
export function register (program: Command): void {
  const store = program
    .command('store')
    .description("check or repair a stopped node's storage")
    .exitOverride(usageErrorsExit2)
  store
    .command('check')
    .description('read every record and verify the audit trail of a stopped node (changes nothing)')
    .requiredOption('--data-dir <dir>', 'the node data folder (holds db/ and blobs/)')
    .option('--json', 'print the result as JSON')
    .exitOverride(usageErrorsExit2)
    .action(async (flags: StoreFlags) => {
      const { dataDirLayout, openStore, scanStore, verifyAudit, isTrustEngineError } = await loadStore()
      let result: { ok: boolean, records?: number, buckets?: Record<string, number>, code?: string, audit?: unknown }
      try {
        const db = await openStore(dataDirLayout(flags.dataDir).db, { createIfMissing: false })
        try {
          const scan = await scanStore(db)
          const audit = await verifyAudit(db)
          result = { ok: audit.ok, records: scan.records, buckets: scan.buckets, audit }
        } finally {
          await db.close()
        }
      } catch (err) {
        // A corrupt store is this command's answer, not a usage error.
        if (!isTrustEngineError(err, 'ERR_STORE_CORRUPT')) throw err
        result = { ok: false, code: err.code }
        if (flags.json !== true) process.stdout.write(`store corrupt: ${err.message}\n`)
      }
      if (flags.json === true) process.stdout.write(JSON.stringify(result, null, 2) + '\n')
      else if (result.records !== undefined) printAudit(result.audit as never)
      if (!result.ok) process.exitCode = 1
    })
  store
    .command('repair')
    .description("repair a stopped node's LevelDB, rebuild its indexes, verify its audit trail and its blobs, and say what survived")
    .requiredOption('--data-dir <dir>', 'the node data folder (holds db/ and blobs/)')
    .option('--skip-blobs', 'do not hash every blob file')
    .option('--json', 'print the report as JSON')
    .exitOverride(usageErrorsExit2)
    .action(async (flags: StoreFlags) => {
      const { repairDataDir } = await import('../../store/repair.ts')
      const report = await repairDataDir(flags.dataDir, { blobs: flags.skipBlobs !== true })
      if (flags.json === true) {
        process.stdout.write(JSON.stringify(report, null, 2) + '\n')
      } else {
        process.stdout.write(`repaired: ${report.scan.records} records survive (${Object.entries(report.scan.buckets).map(([b, n]) => `${b} ${n}`).join(', ')}); ` +
          `${report.indexes.dropped} index entries dropped, ${report.indexes.jobsIndexed} jobs indexed again\n`)
        printAudit(report.audit)
        if (report.blobs !== null) process.stdout.write(`blobs: ${report.blobs.checked} hashed, ${report.blobs.quarantined.length} quarantined${report.blobs.quarantined.map((s) => `\n  ${s}`).join('')}\n`)
        if (!report.audit.ok) process.stdout.write('the audit trail still does not verify: the node will refuse to start (ERR_STORE_AUDIT_BROKEN); restore the data folder from a backup\n')
      }
      if (!report.audit.ok) process.exitCode = 1
    })
}

async function loadStore (): Promise<typeof import('../../store/index.ts') & { isTrustEngineError: typeof import('../../../protocol/errors.ts').isTrustEngineError }> {
  const store = await import('../../store/index.ts')
  const { isTrustEngineError } = await import('../../../protocol/errors.ts')
  return { ...store, isTrustEngineError }
}

function printAudit (audit: { ok: boolean, length?: number, seq?: number, code?: string, reason?: string }): void {
  if (audit.ok) process.stdout.write(`audit trail intact: ${audit.length ?? 0} entries\n`)
  else process.stdout.write(`audit trail broken at entry ${audit.seq ?? '?'}: ${audit.code ?? ''}: ${audit.reason ?? ''}\n`)
}
