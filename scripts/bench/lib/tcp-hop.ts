/**
 * Baseline process for the gossip benchmark: one raw TCP hop on 127.0.0.1,
 * driven like the peer processes (line-delimited JSON, processes.ts).
 *
 * `node scripts/bench/lib/tcp-hop.ts receiver`: listens on 127.0.0.1, emits
 * `ready` with its port, then a `message` event (`hex`) for each line read.
 * `node scripts/bench/lib/tcp-hop.ts sender <port>`: connects, emits
 * `ready`; the `send` command (`hex`) writes one line.
 */
import { createConnection, createServer, type Socket } from 'node:net'
import { createInterface } from 'node:readline'
import { emitEvent, serveJsonLines } from './processes.ts'

const [mode, portArg] = process.argv.slice(2)

if (mode === 'receiver') {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.setNoDelay(true)
    createInterface({ input: socket }).on('line', (hex) => { emitEvent('message', { hex }) })
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  serveJsonLines({}, async () => {
    for (const s of sockets) s.destroy()
    await new Promise<void>((resolve) => server.close(() => { resolve() }))
  })
  emitEvent('ready', { port: typeof address === 'object' && address !== null ? address.port : 0 })
} else if (mode === 'sender') {
  const socket = createConnection({ host: '127.0.0.1', port: Number(portArg) })
  socket.setNoDelay(true)
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject) })
  serveJsonLines({
    send: (args) => { socket.write(`${String(args.hex)}\n`); return null }
  }, async () => { socket.destroy() })
  emitEvent('ready', {})
} else {
  process.stderr.write('usage: tcp-hop.ts receiver | sender <port>\n')
  process.exit(2)
}
