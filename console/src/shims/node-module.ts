/** `node:module` for the bundled protocol code: no native add-ons in a browser, so the pure paths run. */
export function createRequire (): (id: string) => never {
  return (id: string) => { throw new Error(`${id} cannot be loaded in a browser`) }
}
