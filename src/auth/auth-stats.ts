import type { AuthFailure } from "./authenticator.ts";

/** Refused requests of one port by reason, read by /metrics (redgen_auth_failures_total{port,reason}). */
export class AuthStats {
  readonly failures = new Map<AuthFailure, number>();

  constructor(
    /** the `port` label: otlp_http, otlp_grpc or api */
    readonly port: string,
  ) {}

  fail(reason: AuthFailure): void {
    this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
  }
}
