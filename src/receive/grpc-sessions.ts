import type { GrpcListenConfig } from "../config/types.ts";
import type { ConnectionEvents, H2Connection } from "./h2/h2-connection.ts";

/** How long a new connection may take to send the HTTP/2 preface and SETTINGS (grpc-go waits 120 s). */
export const HANDSHAKE_MS = 10_000;
/** Pings closer together than the policy allows are tolerated this many times (grpc-go's maxPingStrikes). */
const MAX_PING_STRIKES = 2;
/** grpc-go's threshold for pings without streams when they are not permitted. */
const NO_STREAM_PING_MS = 2 * 3600_000;
const ENHANCE_YOUR_CALM = 0xb;

/** One connection's keepalive state, fed by the connection's life-cycle signals. */
class SessionState implements ConnectionEvents {
  readonly createdAt = Date.now();
  /** the client's SETTINGS arrived: the HTTP/2 handshake is done */
  isSettled = false;
  active = 0;
  idleSince = this.createdAt;
  /** last sign of life from the client (a stream, a ping) */
  lastActivity = this.createdAt;
  lastPing = 0;
  strikes = 0;
  pingSentAt = 0;
  closingAt = 0;

  constructor(
    private readonly owner: GrpcSessions,
    readonly conn: H2Connection,
  ) {}

  settled(): void {
    this.isSettled = true;
  }

  streamOpened(): void {
    this.active++;
    this.lastActivity = Date.now();
    this.strikes = 0;
  }

  streamClosed(): void {
    this.active--;
    this.lastActivity = this.idleSince = Date.now();
  }

  pinged(): void {
    this.owner.pinged(this, Date.now());
  }

  closed(): void {
    this.owner.forget(this.conn);
  }
}

/**
 * The life of gRPC connections, with the Collector's keepalive settings
 * (grpc-go semantics): a connection that does not finish the HTTP/2
 * handshake within HANDSHAKE_MS is dropped; one without streams for
 * max_connection_idle, or older than max_connection_age, gets GOAWAY (and is
 * cut after max_connection_age_grace); after `time` without activity the
 * server pings and drops a client that does not answer within `timeout`; a
 * client pinging more often than min_time (or without streams unless
 * permit_without_stream) is told ENHANCE_YOUR_CALM "too_many_pings" and
 * closed after two strikes. One timer sweeps all connections.
 */
export class GrpcSessions {
  private readonly sessions = new Map<H2Connection, SessionState>();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly cfg: GrpcListenConfig["keepalive"],
    private readonly handshakeMs = HANDSHAKE_MS,
  ) {
    const shortest = Math.min(...[handshakeMs, cfg.max_connection_idle_ms, cfg.max_connection_age_ms, cfg.time_ms, cfg.timeout_ms].filter((v) => v > 0));
    this.timer = setInterval(() => this.sweep(Date.now()), Math.max(50, Math.min(1000, shortest / 4)));
    this.timer.unref();
  }

  /** connections open now */
  get size(): number {
    return this.sessions.size;
  }

  /** A new connection; its signals go to the returned state. */
  track(conn: H2Connection): ConnectionEvents {
    const st = new SessionState(this, conn);
    this.sessions.set(conn, st);
    return st;
  }

  forget(conn: H2Connection): void {
    this.sessions.delete(conn);
  }

  pinged(st: SessionState, now: number): void {
    const allowed = st.active === 0 && !this.cfg.permit_without_stream ? NO_STREAM_PING_MS : this.cfg.min_time_ms;
    if (st.lastPing !== 0 && now - st.lastPing < allowed) st.strikes++;
    st.lastPing = now;
    st.lastActivity = now;
    if (st.strikes > MAX_PING_STRIKES && st.closingAt === 0) {
      st.closingAt = now;
      st.conn.close(ENHANCE_YOUR_CALM, "too_many_pings");
    }
  }

  private sweep(now: number): void {
    const k = this.cfg;
    for (const [s, st] of this.sessions) {
      if (!st.isSettled && now - st.createdAt > this.handshakeMs) {
        s.destroy();
        continue;
      }
      if (st.closingAt === 0) {
        const idle = k.max_connection_idle_ms > 0 && st.active === 0 && now - st.idleSince > k.max_connection_idle_ms;
        const old = k.max_connection_age_ms > 0 && now - st.createdAt > k.max_connection_age_ms;
        if (idle || old) {
          st.closingAt = now;
          s.close(); // GOAWAY: in-flight streams finish, no new ones
          continue;
        }
      } else if (k.max_connection_age_grace_ms > 0 && now - st.closingAt > k.max_connection_age_grace_ms) {
        s.destroy();
        continue;
      }
      if (k.time_ms > 0 && st.pingSentAt === 0 && now - st.lastActivity > k.time_ms) {
        st.pingSentAt = now;
        const ok = s.ping((err) => {
          st.pingSentAt = 0;
          if (err === null) st.lastActivity = Date.now();
        });
        if (!ok) st.pingSentAt = 0;
      } else if (st.pingSentAt !== 0 && k.timeout_ms > 0 && now - st.pingSentAt > k.timeout_ms) {
        s.destroy();
      }
    }
  }

  /** Asks every connection to close (GOAWAY); in-flight calls finish. */
  closeAll(): void {
    for (const s of this.sessions.keys()) s.close();
  }

  /** Cuts every connection. */
  destroyAll(): void {
    for (const s of this.sessions.keys()) s.destroy();
    clearInterval(this.timer);
  }
}
