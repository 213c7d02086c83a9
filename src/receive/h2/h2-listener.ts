import type { Socket, TCPSocketListener } from "bun";
import { type ConnectionEvents, type ConnectionLimits, H2Connection } from "./h2-connection.ts";
import type { H2Stream } from "./h2-stream.ts";
import { SocketTransport } from "./socket-transport.ts";
import { freeNow } from "../body-reader.ts";

/** TLS of the port: a certificate, and a client CA to require client certificates. */
export interface H2Tls {
  cert: string;
  key: string;
  ca?: string;
  requestCert?: boolean;
}

export interface H2ListenOptions {
  host: string;
  port: number;
  tls?: H2Tls;
  /** connections beyond this are closed as they come */
  maxConnections: number;
  limits: ConnectionLimits;
  onStream(s: H2Stream): void;
  /** each new connection, for its life-cycle bookkeeping */
  onConnection(c: H2Connection): ConnectionEvents;
  /** a TLS client that did not present a trusted certificate */
  onTlsClientError?(): void;
  /** seconds a TLS client has to finish its handshake (the HTTP/2 preface has its own deadline, GrpcSessions) */
  tlsHandshakeSeconds?: number;
}

/** The ALPN protocol list, in its wire form (length-prefixed names): h2 only, as gRPC clients require. */
const ALPN_H2 = Buffer.from("\x02h2", "latin1");

interface Conn {
  transport?: SocketTransport;
  conn?: H2Connection;
}

/** The lean HTTP/2 server of the gRPC port (h2c, or h2 over TLS with ALPN). */
export interface H2Listener {
  readonly port: number;
  /** Stops accepting; open connections stay. */
  stop(): void;
}

/** Starts the listener; throws when the port cannot be bound. */
export function listenH2(o: H2ListenOptions): H2Listener {
  let open = 0;
  const mutual = o.tls?.requestCert === true;
  const start = (s: Socket<Conn>) => {
    const transport = new SocketTransport(s as Socket<unknown>);
    const conn = new H2Connection(transport, o.limits, o.onStream);
    conn.events = o.onConnection(conn);
    s.data.transport = transport;
    s.data.conn = conn;
  };
  const listener: TCPSocketListener<Conn> = Bun.listen<Conn>({
    hostname: o.host,
    port: o.port,
    tls: o.tls === undefined ? undefined : { cert: o.tls.cert, key: o.tls.key, ca: o.tls.ca, requestCert: mutual, rejectUnauthorized: mutual, ALPNProtocols: ALPN_H2 } as never,
    socket: {
      open(s) {
        if (open >= o.maxConnections) {
          s.terminate();
          return;
        }
        open++;
        s.data = {};
        // over TLS the connection starts once the handshake has vouched for the client
        if (o.tls === undefined) start(s);
        else s.timeout(o.tlsHandshakeSeconds ?? 10);
      },
      timeout(s) {
        s.terminate(); // armed until the TLS handshake is done, and after this server's FIN
      },
      handshake(s, ok, err) {
        s.timeout(0);
        if ((!ok || err !== null) && mutual) {
          o.onTlsClientError?.();
          s.terminate();
          return;
        }
        if (s.data !== undefined && s.data.conn === undefined) start(s);
      },
      data(s, bytes) {
        s.data?.conn?.receive(bytes);
        // Bun hands each read over as a fresh, whole buffer, and the connection keeps no view of it
        // (DATA is copied into the message, everything else is read or copied at once): freed now,
        // not at a later collection
        freeNow(bytes);
      },
      drain(s) {
        s.data?.transport?.drain();
      },
      close(s) {
        if (s.data === undefined) return; // refused at the cap
        open--;
        s.data.conn?.closed();
      },
      error() {
        // a reset by the peer: close follows
      },
    },
  });
  return {
    port: listener.port,
    stop: () => listener.stop(false),
  };
}
