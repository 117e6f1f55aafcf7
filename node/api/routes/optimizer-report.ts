/**
 * `GET /v1/jobs/:id/optimizer-report`: the optimizer report this node keeps
 * of a network-optimized scene job. A route of its own rather than a field
 * of the job view: the view is re-read on every vote, the report (a few KiB)
 * never changes once kept.
 */
import type { RegisterRoutes } from '../context.ts'
import { ERR_JOB_NOT_FOUND, apiError } from '../errors.ts'
import { jobIdParamsSchema, parseRequest } from '../schemas.ts'
import { ERR_OPTIMIZER_REPORT_NOT_FOUND } from '../../wiring/optimizer-report-store.ts'

/**
 * Registers `GET /v1/jobs/:id/optimizer-report` (`OptimizerReportView`:
 * `jobId`, `source`, `storedAt`, `report`). Unknown job: 404
 * `ERR_JOB_NOT_FOUND`; a known job without a report here: 404
 * `ERR_OPTIMIZER_REPORT_NOT_FOUND`.
 */
export const registerOptimizerReportRoutes: RegisterRoutes = (app, { node }) => {
  app.get('/v1/jobs/:id/optimizer-report', async (request) => {
    const { id } = parseRequest(jobIdParamsSchema, request.params, 'params')
    const found = await node.optimizerReport(id)
    if (found !== null) return found
    if (await node.getJob(id) === null) throw apiError(ERR_JOB_NOT_FOUND, `no job ${id} on this node`)
    throw apiError(ERR_OPTIMIZER_REPORT_NOT_FOUND, `this node keeps no optimizer report of job ${id}`)
  })
}
