/**
 * `trust-engine certificate verify CERT --network FILE`: checks a certificate
 * against a network file, offline, with the protocol's verifier alone.
 *
 * Exit codes: 0 the certificate is valid; 1 it is not (the code says why:
 * a schema or metric-range violation, a wrong network, a bad signature, no
 * quorum, ...); 2 the input could not be read (missing or too large file,
 * not JSON, an invalid network file).
 */
import type { Command } from 'commander'
import { TrustEngineError } from '../../../protocol/errors.ts'

/** The thresholds a job was judged by (the submitter chooses them; the network file gives defaults and, with `minThresholds`, a floor). */
export interface CertificateThresholds { ssimMin: number, psnrMin: number, ssimLocalMin: number }

/** Result of {@link verifyCertificateFiles}. */
export type CertificateFileVerification =
  | {
    valid: true, jobId: string, status: 'validated' | 'rejected', signedBaseWeight: number, totalBaseWeight: number, caveats: string[],
    /** The job's thresholds, which its status follows from. */
    thresholds: CertificateThresholds,
    /** The thresholds laxer than the network file's defaults (a `validated` then says less than the network's default bar). */
    laxerThanNetwork: Array<{ threshold: keyof CertificateThresholds, job: number, network: number }>,
    /** The network file's floor of job thresholds (`minThresholds`), which a valid certificate's job meets; null: the file sets none. */
    networkMinimum: CertificateThresholds | null
  }
  | { valid: false, code: string, message: string }

/**
 * Reads the certificate (at most MAX_CERTIFICATE_BYTES) and the network file
 * (at most MAX_NETWORK_FILE_BYTES) and verifies one against the other.
 * Returns `valid: false` with the code for a certificate that is readable
 * JSON but not valid; throws a `TrustEngineError` when either file cannot be
 * read or parsed as JSON, or the network file is invalid.
 */
export async function verifyCertificateFiles (certPath: string, networkPath: string): Promise<CertificateFileVerification> {
  const [{ readFileBounded }, protocol] = await Promise.all([import('../../files/read-bounded.ts'), import('../../../protocol/index.ts')])
  const networkBytes = await readFileBounded(networkPath, protocol.MAX_NETWORK_FILE_BYTES, 'network file')
  const network = protocol.parseNetwork(networkBytes)
  const certBytes = await readFileBounded(certPath, protocol.MAX_CERTIFICATE_BYTES, 'certificate')
  let cert
  try {
    cert = protocol.decodeCertificate(certBytes)
  } catch (err) {
    // Not JSON (or too large): unreadable. JSON that is no certificate: invalid.
    if (err instanceof TrustEngineError && (err.code === protocol.ERR_SCHEMA || err.code === protocol.ERR_METRIC_RANGE)) {
      return { valid: false, code: err.code, message: err.message }
    }
    throw err
  }
  const r = protocol.verifyCertificate(cert, network)
  if (!r.ok) return { valid: false, code: r.code, message: r.message }
  const t = cert.job.thresholds
  const thresholds = { ssimMin: t.ssimMin, psnrMin: t.psnrMin, ssimLocalMin: t.ssimLocalMin }
  const laxerThanNetwork = (['ssimMin', 'psnrMin', 'ssimLocalMin'] as const)
    .filter((k) => thresholds[k] < network.thresholds[k])
    .map((k) => ({ threshold: k, job: thresholds[k], network: network.thresholds[k] }))
  const floor = network.minThresholds
  const networkMinimum = floor === undefined ? null : { ssimMin: floor.ssimMin, psnrMin: floor.psnrMin, ssimLocalMin: floor.ssimLocalMin }
  return { valid: true, jobId: r.jobId, status: r.status, signedBaseWeight: r.signedBaseWeight, totalBaseWeight: r.totalBaseWeight, caveats: r.caveats, thresholds, laxerThanNetwork, networkMinimum }
}

/** The text lines of a valid certificate: the verdict, and the thresholds it was reached under. */
export function describeValidCertificate (r: Extract<CertificateFileVerification, { valid: true }>): string {
  const t = r.thresholds
  const lines = [
    `valid: job ${r.jobId} ${r.status}, signed by ${r.signedBaseWeight} of ${r.totalBaseWeight} base weight${r.caveats.length === 0 ? '' : `; caveats (not rendered): ${r.caveats.join(', ')}`}`,
    `thresholds: SSIM >= ${t.ssimMin}, PSNR >= ${t.psnrMin} dB, local SSIM >= ${t.ssimLocalMin} (chosen by the submitter)`,
    r.networkMinimum === null
      ? 'network minimum: none (the network file has no minThresholds)'
      : `network minimum: SSIM >= ${r.networkMinimum.ssimMin}, PSNR >= ${r.networkMinimum.psnrMin} dB, local SSIM >= ${r.networkMinimum.ssimLocalMin} (minThresholds; no job below it is valid)`
  ]
  if (r.laxerThanNetwork.length > 0) {
    const which = r.laxerThanNetwork.map((l) => `${l.threshold} ${l.job} < ${l.network}`).join(', ')
    lines.push(`warning: thresholds laxer than the network's defaults (${which})`)
  }
  return lines.join('\n') + '\n'
}

/** Declares `certificate` and its subcommand `verify`. */
export function register (program: Command): void {
  const certificate = program.command('certificate').description('work with job certificates')
  certificate
    .command('verify')
    .description('verify a certificate against a network file (exit 0 valid, 1 invalid, 2 unreadable)')
    .argument('<cert>', 'certificate JSON file')
    .requiredOption('--network <file>', 'network file (network.json) the certificate claims')
    .option('--json', 'print the result as JSON')
    .action(async (certPath: string, flags: { network: string, json?: boolean }) => {
      const r = await verifyCertificateFiles(certPath, flags.network)
      if (flags.json === true) {
        process.stdout.write(JSON.stringify(r) + '\n')
      } else if (r.valid) {
        process.stdout.write(describeValidCertificate(r))
      } else {
        process.stdout.write(`invalid ${r.code}: ${r.message}\n`)
      }
      process.exitCode = r.valid ? 0 : 1
    })
}
