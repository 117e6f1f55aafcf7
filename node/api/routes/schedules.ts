/** Economy schedules: scene jobs a node deferred to their cheapest slot (see `POST /v1/jobs`). */
import type { RegisterRoutes } from '../context.ts'
import { ERR_SCHEDULE_NOT_FOUND, apiError } from '../errors.ts'
import { listSchedulesQuerySchema, parseRequest, scheduleIdParamsSchema } from '../schemas.ts'

/** Default number of schedules `GET /v1/schedules` returns. */
export const DEFAULT_SCHEDULES_LIMIT = 50

/**
 * Registers `GET /v1/schedules` (`{ schedules }`, newest first, at most
 * `limit`, default 50, capped at `maxListLimit`) and `GET /v1/schedules/:id`
 * (a `ScheduleView`, with `jobId` once its slot's job started), and
 * `DELETE /v1/schedules/:id` (a writing route: cancels a schedule still
 * waiting for its slot and answers its `cancelled` view; 409
 * `ERR_SCHEDULE_NOT_CANCELLABLE` once its run started or it ended).
 */
export const registerScheduleRoutes: RegisterRoutes = (app, { node, options, requireToken, limitWrites }) => {
  app.get('/v1/schedules', async (request) => {
    const query = parseRequest(listSchedulesQuerySchema, request.query, 'query')
    const limit = Math.min(query.limit ?? DEFAULT_SCHEDULES_LIMIT, options.maxListLimit)
    return { schedules: await node.listSchedules({ limit }) }
  })

  app.get('/v1/schedules/:id', async (request) => {
    const { id } = parseRequest(scheduleIdParamsSchema, request.params, 'params')
    const schedule = await node.getSchedule(id)
    if (schedule === null) throw apiError(ERR_SCHEDULE_NOT_FOUND, `no schedule ${id} on this node`)
    return schedule
  })

  app.delete('/v1/schedules/:id', { onRequest: [requireToken, limitWrites] }, async (request) => {
    const { id } = parseRequest(scheduleIdParamsSchema, request.params, 'params')
    const schedule = await node.cancelSchedule(id)
    if (schedule === null) throw apiError(ERR_SCHEDULE_NOT_FOUND, `no schedule ${id} on this node`)
    return schedule
  })
}
