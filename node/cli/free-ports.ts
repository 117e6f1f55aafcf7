/**
 * Free TCP ports for addresses written into config files before the
 * processes that listen on them start (`network init --base-port 0`, the
 * simulation's networks and relays).
 *
 * A port the system hands out for port 0 lies in its ephemeral range, the
 * same range it takes the local ports of outgoing connections and of every
 * other program's port-0 listener from. Once the finder lets it go, any of
 * those can take it before the node binds it, and the node then refuses to
 * start (`ERR_ADDRESS_IN_USE`); on a busy machine where a node process takes
 * tens of seconds to start, that happened to test clusters. So the ports are
 * drawn at random below the ephemeral range, where the system never hands
 * one out by itself: only a program naming that very port can take it.
 */
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'

/** Lowest port drawn: above the ports services commonly use and this project's default base ports (17000, 17100). */
export const FREE_PORT_LOW = 20_000

/** Fewest ports a range below the ephemeral one must hold to be drawn from (else ports come from port 0). */
const MIN_RANGE = 1000

/** Draws per port wanted before falling back to port 0: ports below the ephemeral range are rarely in use. */
const DRAWS_PER_PORT = 20

/**
 * The system's ephemeral port range: Linux's `ip_local_port_range`, or
 * IANA's 49152–65535 (macOS, Windows) where that file is absent.
 */
export function ephemeralPortRange (): { low: number, high: number } {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number)
    if (Number.isInteger(low) && Number.isInteger(high) && low! <= high!) return { low: low!, high: high! }
  } catch {}
  return { low: 49152, high: 65535 }
}

/**
 * `count` distinct free TCP ports on `host`, none in `avoid`: drawn at
 * random from {@link FREE_PORT_LOW} up to the ephemeral range and each
 * checked by listening on it; where that range is too small, or holds too
 * few free ports, the rest are found by listening on port 0. All are held
 * open until every one is found. Throws the listen error when `host`
 * cannot be bound at all.
 */
export async function freePorts (host: string, count: number, avoid: ReadonlySet<number> = new Set()): Promise<number[]> {
  const servers: Server[] = []
  const ports: number[] = []
  const taken = (port: number): boolean => avoid.has(port) || ports.includes(port)
  try {
    const high = ephemeralPortRange().low - 1
    if (high - FREE_PORT_LOW + 1 >= MIN_RANGE) {
      for (let draws = 0; ports.length < count && draws < count * DRAWS_PER_PORT; draws++) {
        const port = FREE_PORT_LOW + Math.floor(Math.random() * (high - FREE_PORT_LOW + 1))
        if (taken(port)) continue
        const server = await listen(host, port).catch((err: unknown) => {
          if ((err as { code?: unknown }).code === 'EADDRINUSE') return null
          throw err
        })
        if (server === null) continue
        servers.push(server)
        ports.push(port)
      }
    }
    // Bounded: each listen on port 0 yields a port not yet held; `avoid` is finite.
    for (let attempts = 0; ports.length < count && attempts < count + avoid.size + 100; attempts++) {
      const server = await listen(host, 0)
      servers.push(server)
      const port = (server.address() as { port: number }).port
      if (!taken(port)) ports.push(port)
    }
  } finally {
    await Promise.all(servers.map(async (s) => await new Promise((resolve) => s.close(resolve))))
  }
  return ports
}

/** A server listening on `host`:`port` alone (exclusive). */
async function listen (host: string, port: number): Promise<Server> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host, port, exclusive: true }, () => { server.off('error', reject); resolve() })
  })
  return server
}
