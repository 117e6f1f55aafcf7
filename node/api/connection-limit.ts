/**
 * The HTTP API's bounds on open connections: `maxConnections` for all
 * clients together (Node's `server.maxConnections`: a new connection beyond
 * is closed at once), and `maxConnectionsPerClient` per client address, so
 * one address holding idle connections cannot take all of them from the
 * others. A connection closed for either bound is counted in
 * `trust_engine_http_connections_dropped_total{bound}`. The per-address
 * counts live only while their connections are open (at most
 * `maxConnections` addresses).
 */
import type { Server } from 'node:http'
import type { NodeMetrics } from '../metrics.ts'

/** Applies both connection bounds to `server` (before it listens). */
export function limitConnections (server: Server, options: { maxConnections: number, maxConnectionsPerClient: number }, metrics: NodeMetrics): void {
  // Beyond maxConnections Node closes a new connection at once and emits 'drop'.
  server.maxConnections = options.maxConnections
  server.on('drop', () => { metrics.http.connectionsDropped.inc({ bound: 'maxConnections' }) })
  const open = new Map<string, number>()
  // Runs after Node's own connection listener (registered when the server was made), before any byte is read.
  server.on('connection', (socket) => {
    const client = socket.remoteAddress ?? ''
    const count = open.get(client) ?? 0
    if (count >= options.maxConnectionsPerClient) {
      metrics.http.connectionsDropped.inc({ bound: 'maxConnectionsPerClient' })
      socket.destroy()
      return
    }
    open.set(client, count + 1)
    socket.once('close', () => {
      const left = (open.get(client) ?? 1) - 1
      if (left <= 0) open.delete(client)
      else open.set(client, left)
    })
  })
}
