// Docker HEALTHCHECK of the node image: GET /healthz on the node's own API
// (TRUST_ENGINE_API, default 127.0.0.1:7700; a wildcard host is asked on
// loopback). Exit 0 when the node answers 200, 1 otherwise. A node run with
// TRUST_ENGINE_API=off has nothing to ask and counts as healthy.
const api = process.env.TRUST_ENGINE_API ?? '127.0.0.1:7700'
if (api === 'off') process.exit(0)
const i = api.lastIndexOf(':')
let host = api.slice(0, i)
if (host === '0.0.0.0' || host === '' || host === '[::]') host = '127.0.0.1'
fetch(`http://${host}:${api.slice(i + 1)}/healthz`, { signal: AbortSignal.timeout(4000) })
  .then((res) => { process.exit(res.status === 200 ? 0 : 1) }, () => { process.exit(1) })
