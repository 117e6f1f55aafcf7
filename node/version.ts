/** Version of this Trust Engine implementation (kept equal to package.json). */
export const VERSION = '0.1.0'
