/** Test helper: re-exported for the protocol tests (see test/helpers/codes.ts). */
export { codeOf } from '../helpers/codes.ts'
