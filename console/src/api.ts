/**
 * The console's client of the node's HTTP API (docs/api.md), same origin.
 * Reading routes need nothing; writing routes send the bearer token the
 * operator typed (kept in this tab's sessionStorage only) when there is one.
 */

/** An error answer of the API: its stable code and message. */
export class ApiError extends Error {
  constructor (readonly status: number, readonly code: string, message: string) {
    super(message)
  }
}

const TOKEN_KEY = 'trust-engine-token'

/** The bearer token of this tab, if the operator gave one. */
export function token (): string | null {
  return sessionStorage.getItem(TOKEN_KEY)
}

/** Sets (or, with an empty string, clears) the bearer token of this tab. */
export function setToken (value: string): void {
  if (value === '') sessionStorage.removeItem(TOKEN_KEY)
  else sessionStorage.setItem(TOKEN_KEY, value)
}

async function answer<T> (res: Response): Promise<T> {
  const text = await res.text()
  let body: unknown
  try { body = JSON.parse(text) } catch { throw new ApiError(res.status, 'ERR_API_RESPONSE', `HTTP ${res.status}: not JSON`) }
  if (!res.ok) {
    const e = (body as { error?: { code?: string, message?: string } }).error
    throw new ApiError(res.status, e?.code ?? 'ERR_API_RESPONSE', e?.message ?? `HTTP ${res.status}`)
  }
  return body as T
}

/** `GET path` as JSON. */
export async function get<T> (path: string): Promise<T> {
  return await answer<T>(await fetch(path, { headers: { accept: 'application/json' } }))
}

function authHeaders (): Record<string, string> {
  const t = token()
  return t === null ? {} : { authorization: `Bearer ${t}` }
}

/** `POST /v1/blobs` with progress (upload bytes sent so far); resolves to the blob's sha256. */
export async function uploadBlob (bytes: Blob, onProgress: (sent: number) => void): Promise<string> {
  return await new Promise<string>((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', '/v1/blobs')
    xhr.setRequestHeader('content-type', 'application/octet-stream')
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v)
    xhr.upload.onprogress = (e) => { onProgress(e.loaded) }
    xhr.onerror = () => { reject(new ApiError(0, 'ERR_API_UNREACHABLE', 'the node did not answer')) }
    xhr.onload = () => {
      answer<{ sha256: string }>(new Response(xhr.responseText, { status: xhr.status })).then((b) => { resolve(b.sha256) }, reject)
    }
    xhr.send(bytes)
  })
}

/** `POST path` with a JSON body. */
export async function post<T> (path: string, body: unknown): Promise<T> {
  return await answer<T>(await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', ...authHeaders() }, body: JSON.stringify(body) }))
}
