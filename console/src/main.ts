/**
 * The node's web console (served at /ui): a hash router over five pages —
 * Network, Jobs, Job, Submit, Audit — a header showing whether the node's
 * event stream is connected, and the bearer token field for writes.
 */
import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { setToken, token } from './api.ts'
import { html } from './html.ts'
import { useConnected } from './live.ts'
import { AuditPage } from './pages/audit.ts'
import { JobPage } from './pages/job.ts'
import { JobsPage } from './pages/jobs.ts'
import { NetworkPage } from './pages/network.ts'
import { SubmitPage } from './pages/submit.ts'

function useRoute (): string {
  const [route, setRoute] = useState(location.hash.slice(1) || '/jobs')
  useEffect(() => {
    const on = (): void => { setRoute(location.hash.slice(1) || '/jobs') }
    addEventListener('hashchange', on)
    return () => { removeEventListener('hashchange', on) }
  }, [])
  return route
}

function TokenField () {
  const [value, setValue] = useState(token() ?? '')
  return html`<label class="token">API token <input type="password" autocomplete="off" value=${value}
    placeholder="only for writes off loopback"
    onChange=${(e: Event) => { const v = (e.target as HTMLInputElement).value.trim(); setValue(v); setToken(v) }} /></label>`
}

function App () {
  const route = useRoute()
  const connected = useConnected()
  const [path = '', search = ''] = route.split('?')
  const [, page, arg] = path.split('/')
  const nav = [['jobs', 'Jobs'], ['submit', 'Submit'], ['network', 'Network'], ['audit', 'Audit']]
  let body
  if (page === 'job' && arg !== undefined && /^[0-9a-f]{64}$/.test(arg)) body = html`<${JobPage} key=${arg} jobId=${arg} />`
  else if (page === 'network') body = html`<${NetworkPage} />`
  else if (page === 'submit') body = html`<${SubmitPage} />`
  else if (page === 'audit') body = html`<${AuditPage} />`
  else body = html`<${JobsPage} query=${new URLSearchParams(search)} />`
  return html`
    <header>
      <strong>Trust Engine</strong>
      <nav>${nav.map(([id, label]) => html`<a href="#/${id}" class=${page === id || (page === 'job' && id === 'jobs') ? 'active' : ''}>${label}</a>`)}</nav>
      <span class=${connected ? 'live on' : 'live off'} role="status" data-testid="connection">${connected ? 'live' : 'disconnected'}</span>
      <${TokenField} />
    </header>
    <main>${body}</main>`
}

render(html`<${App} />`, document.getElementById('app')!)
