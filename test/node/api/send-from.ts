/**
 * One HTTP request to a test node from a chosen local address (127.0.0.1,
 * 127.0.0.2, ...), for the API's per-client limits, which key on the
 * client's address.
 */
import { request } from 'node:http'

/** What {@link sendFrom} resolves with: the status, the `Retry-After` header and the error code of the body, if any. */
export interface SentAnswer {
  status: number
  retryAfter: string | undefined
  code: string | undefined
}

/** Sends `method path` to the node at `baseUrl` from local address `from`, with `body` of content type `type` if given. */
export async function sendFrom (baseUrl: string, method: string, path: string, from: string, body?: Uint8Array, type = 'application/json'): Promise<SentAnswer> {
  const { hostname, port } = new URL(baseUrl)
  return await new Promise((resolve, reject) => {
    const req = request({ host: hostname, port: Number(port), method, path, localAddress: from, headers: body === undefined ? {} : { 'content-type': type, 'content-length': body.byteLength } }, (res) => {
      let text = ''
      res.on('data', (d: Buffer) => { text += d.toString() })
      res.on('end', () => {
        let code: string | undefined
        try { code = (JSON.parse(text) as { error?: { code?: string } }).error?.code } catch {}
        resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'], code })
      })
    })
    req.on('error', reject)
    req.end(body)
  })
}
