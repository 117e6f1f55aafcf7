/**
 * The rule for the API's bearer token, shared by the node's options, its
 * config file and the client commands. The API reads
 * `Authorization: Bearer <token>` with no whitespace in the token, and a
 * header carries Latin-1 at most (non-ASCII is sent differently by curl and
 * by fetch), so any other token would start a node that no client can write
 * to, or make a client's request fail as if the node were unreachable.
 */
import { z } from 'zod'

/** Visible ASCII only: no spaces, no control or non-ASCII characters. */
export const API_TOKEN_CHARACTERS = /^[\x21-\x7e]*$/
/** The message for a token with other characters. */
export const API_TOKEN_CHARACTERS_MESSAGE = 'an API token is visible ASCII characters only (no spaces, no other characters)'

/** The node's API token: 16 to 256 visible ASCII characters. */
export const apiTokenSchema = z.string()
  .min(16, 'an API token needs at least 16 characters')
  .max(256)
  .regex(API_TOKEN_CHARACTERS, API_TOKEN_CHARACTERS_MESSAGE)
