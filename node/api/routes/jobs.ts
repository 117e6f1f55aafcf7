/**
 * Job routes: create a job from uploaded blobs (or defer an economy scene
 * job to its cheapest slot), list jobs, read one job and its certificate.
 */
import { isEconomyDeferral } from '../../economy/schedule-record.ts'
import type { SubmitJobRequest } from '../../types.ts'
import type { RegisterRoutes } from '../context.ts'
import { ERR_CERTIFICATE_NOT_READY, ERR_JOB_NOT_FOUND, apiError } from '../errors.ts'
import { jobIdParamsSchema, listJobsQuerySchema, parseRequest, submitJobRequestSchema } from '../schemas.ts'

/** Default number of jobs `GET /v1/jobs` returns. */
export const DEFAULT_JOBS_LIMIT = 50

/**
 * Registers `POST /v1/jobs` (201 `JobView`; 202 `ScheduleView` for a scene
 * job without a candidate and with profile `economy`, which the node defers
 * to its cheapest slot), `GET /v1/jobs` (`{ jobs }`,
 * newest first; `limit`, `status`, `before` paging from the job index), `GET /v1/jobs/:id` and `GET /v1/jobs/:id/certificate`.
 */
export const registerJobRoutes: RegisterRoutes = (app, { node, options, requireToken, limitWrites }) => {
  app.post('/v1/jobs', { onRequest: [requireToken, limitWrites] }, async (request, reply) => {
    const body = parseRequest(submitJobRequestSchema, request.body, 'body')
    // The node's admission rules (node/wiring/job-admission.ts) check blobs, deadline and limits.
    const req: SubmitJobRequest = { kind: body.kind, reference: body.reference, candidate: body.candidate }
    if (body.thresholds !== undefined) req.thresholds = body.thresholds
    if (body.deadlineMs !== undefined) req.deadlineMs = body.deadlineMs
    if (body.profile !== undefined) req.profile = body.profile
    if (body.ratio !== undefined) req.ratio = body.ratio
    if (isEconomyDeferral(req)) {
      const schedule = await node.scheduleEconomyJob({
        ...req,
        kind: 'scene',
        ...(body.optimizeBy === undefined ? {} : { optimizeBy: body.optimizeBy }),
        ...(body.budgetUsd === undefined ? {} : { budgetUsd: body.budgetUsd })
      })
      return await reply.code(202).send(schedule)
    }
    const view = await node.submitJob(req)
    return await reply.code(201).send(view)
  })

  app.get('/v1/jobs', async (request) => {
    const query = parseRequest(listJobsQuerySchema, request.query, 'query')
    const limit = Math.min(query.limit ?? DEFAULT_JOBS_LIMIT, options.maxListLimit)
    return {
      jobs: await node.listJobs({
        limit,
        ...(query.status === undefined ? {} : { status: query.status }),
        ...(query.before === undefined ? {} : { before: query.before })
      })
    }
  })

  app.get('/v1/jobs/:id', async (request) => {
    const { id } = parseRequest(jobIdParamsSchema, request.params, 'params')
    const view = await node.getJob(id)
    if (view === null) throw apiError(ERR_JOB_NOT_FOUND, `no job ${id} on this node`)
    return view
  })

  app.get('/v1/jobs/:id/certificate', async (request) => {
    const { id } = parseRequest(jobIdParamsSchema, request.params, 'params')
    const certificate = await node.getCertificate(id)
    if (certificate !== null) return certificate
    const view = await node.getJob(id)
    if (view === null) throw apiError(ERR_JOB_NOT_FOUND, `no job ${id} on this node`)
    throw apiError(ERR_CERTIFICATE_NOT_READY, `job ${id} is ${view.status}; it has no certificate`)
  })
}
