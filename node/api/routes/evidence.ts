/**
 * Evidence routes: the manifest of the evidence this node keeps of its
 * measurement of a job, and each of its PNG files by name. Read-only, open
 * like the other reading routes.
 */
import { z } from 'zod'
import { ERR_EVIDENCE_NOT_FOUND } from '../../evidence/errors.ts'
import { EVIDENCE_FILE_NAME } from '../../evidence/evidence-store.ts'
import type { RegisterRoutes } from '../context.ts'
import { ERR_JOB_NOT_FOUND, apiError } from '../errors.ts'
import { jobIdParamsSchema, parseRequest, sha256Schema } from '../schemas.ts'

/** Path parameters of `/v1/jobs/:id/evidence/:file`: a job id and a file name of the fixed evidence pattern. */
export const evidenceFileParamsSchema = z.strictObject({
  id: sha256Schema,
  file: z.string().regex(EVIDENCE_FILE_NAME, 'must name an evidence image: sample-N-(reference|candidate|ssim-map|difference).png')
})

/**
 * Registers `GET /v1/jobs/:id/evidence` (the manifest: samples, their values
 * and file names, the job and round) and `GET /v1/jobs/:id/evidence/:file`
 * (`image/png`). Unknown job: 404 `ERR_JOB_NOT_FOUND`; a known job without
 * evidence here (not measured by this node, still measuring, or evicted by
 * the bounds): 404 `ERR_EVIDENCE_NOT_FOUND`.
 */
export const registerEvidenceRoutes: RegisterRoutes = (app, { node }) => {
  const missing = async (id: string): Promise<never> => {
    if (await node.getJob(id) === null) throw apiError(ERR_JOB_NOT_FOUND, `no job ${id} on this node`)
    throw apiError(ERR_EVIDENCE_NOT_FOUND, `this node holds no evidence for job ${id}`)
  }

  app.get('/v1/jobs/:id/evidence', async (request) => {
    const { id } = parseRequest(jobIdParamsSchema, request.params, 'params')
    return await node.evidence(id) ?? await missing(id)
  })

  app.get('/v1/jobs/:id/evidence/:file', async (request, reply) => {
    const { id, file } = parseRequest(evidenceFileParamsSchema, request.params, 'params')
    const found = await node.evidenceFile(id, file) ?? await missing(id)
    // A grey-zone round replaces the files under the same names: clients revalidate.
    return await reply.type('image/png').header('content-length', found.size).header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').send(found.stream)
  })
}
