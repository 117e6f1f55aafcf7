/**
 * Reputation routes: this node's view of every validator's reputation now,
 * and over time (node/job/reputation-history.ts).
 */
import type { ReputationPoint } from '../../job/reputation-history.ts'
import type { RegisterRoutes } from '../context.ts'
import { ERR_VALIDATOR_NOT_FOUND, apiError } from '../errors.ts'
import { parseRequest, reputationHistoryQuerySchema } from '../schemas.ts'

/** The answer of `GET /v1/reputation/history`: the limit applied per validator, and each validator's points, newest first. */
export interface ReputationHistoryAnswer {
  limit: number
  validators: Array<{ publicKey: string, name: string, points: ReputationPoint[] }>
}

/** Points per validator `GET /v1/reputation/history` returns by default. */
export const DEFAULT_HISTORY_LIMIT = 100

/** Points one answer of `GET /v1/reputation/history` holds at most, all validators together: about 2 MiB of JSON. */
export const MAX_HISTORY_POINTS = 10_000

/**
 * Registers `GET /v1/reputation` (`{ validators: ReputationView[] }`) and
 * `GET /v1/reputation/history` (`{ limit, validators: [{ publicKey, name,
 * points }] }`, each validator's points newest first: `limit` per validator,
 * at most `maxListLimit` and, without `validator`, at most
 * {@link MAX_HISTORY_POINTS} over all validators; `before` pages one
 * validator's older points). A key that is no validator of the network: 404
 * `ERR_VALIDATOR_NOT_FOUND`.
 */
export const registerReputationRoutes: RegisterRoutes = (app, { node, options }) => {
  app.get('/v1/reputation', async () => ({ validators: await node.reputations() }))

  app.get('/v1/reputation/history', async (request): Promise<ReputationHistoryAnswer> => {
    const query = parseRequest(reputationHistoryQuerySchema, request.query, 'query')
    const all = node.network().validators
    const validators = query.validator === undefined ? all : all.filter((v) => v.publicKey === query.validator)
    if (validators.length === 0) throw apiError(ERR_VALIDATOR_NOT_FOUND, `no validator ${String(query.validator)} in network ${node.network().networkId}`)
    const limit = Math.min(query.limit ?? DEFAULT_HISTORY_LIMIT, options.maxListLimit, Math.max(1, Math.floor(MAX_HISTORY_POINTS / validators.length)))
    return {
      limit,
      validators: await Promise.all(validators.map(async (v) => ({
        publicKey: v.publicKey,
        name: v.name,
        points: await node.reputationHistory(v.publicKey, { limit, ...(query.before === undefined ? {} : { before: query.before }) })
      })))
    }
  })
}
