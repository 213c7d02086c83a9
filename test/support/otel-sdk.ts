import { Metadata, credentials as grpcCredentials } from "@grpc/grpc-js";
import type { Attributes, HrTime, SpanKind, SpanStatus, Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter as OtlpGrpcExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { OTLPTraceExporter as OtlpHttpJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OtlpHttpProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type IdGenerator,
  type ReadableSpan,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";

/** How the SDK sends: OTLP/HTTP protobuf, OTLP/HTTP JSON or OTLP/gRPC, optionally gzip-compressed. */
export interface ExporterChoice {
  encoding: "protobuf" | "json" | "grpc";
  gzip: boolean;
}

export interface TestTracerOptions extends ExporterChoice {
  /**
   * OTLP/HTTP base, e.g. http://127.0.0.1:4318 (the exporter posts to <base>/v1/traces);
   * for "grpc" the gRPC receiver, e.g. http://127.0.0.1:4317 (https:// for TLS)
   */
  endpoint: string;
  /** resource attributes; service.name should be among them */
  resource: Attributes;
  /** extra request headers (gRPC metadata for "grpc"), e.g. { "X-Scope-OrgID": "team-a" } */
  headers?: Record<string, string>;
  /** PEM of the CA to trust (https:// endpoints) */
  ca?: string;
  /** a client certificate and its key (PEM), for mutual TLS */
  clientCert?: { cert: string; key: string };
  /** the SDK's random ids when absent */
  idGenerator?: IdGenerator;
}

type ExportCallback = Parameters<SpanExporter["export"]>[1];
type Compression = NonNullable<NonNullable<ConstructorParameters<typeof OtlpHttpProtoExporter>[0]>["compression"]>;

/**
 * The real OpenTelemetry JS SDK as a client: a BasicTracerProvider with a
 * BatchSpanProcessor whose exporter is the official OTLP/HTTP exporter
 * (protobuf or JSON). `flush()` sends everything ended so far in one request
 * and fails if the exporter reported a failure (the SDK itself only logs it).
 */
export class TestTracer implements AsyncDisposable {
  readonly tracer: Tracer;
  private readonly provider: BasicTracerProvider;
  private readonly exporter: CheckedExporter;

  constructor(options: TestTracerOptions) {
    const config = {
      url: `${options.endpoint}/v1/traces`,
      headers: options.headers ?? {},
      compression: (options.gzip ? "gzip" : "none") as Compression,
      timeoutMillis: 10_000,
      httpAgentOptions: options.ca === undefined ? undefined : { ca: options.ca, cert: options.clientCert?.cert, key: options.clientCert?.key },
    };
    const inner =
      options.encoding === "grpc"
        ? grpcExporter(options)
        : options.encoding === "protobuf"
          ? new OtlpHttpProtoExporter(config)
          : new OtlpHttpJsonExporter(config);
    this.exporter = new CheckedExporter(inner);
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes(options.resource),
      idGenerator: options.idGenerator,
      // One request per flush: nothing is exported on a timer while a test builds its spans.
      spanProcessors: [new BatchSpanProcessor(this.exporter, { scheduledDelayMillis: 600_000, maxExportBatchSize: 512 })],
    });
    this.tracer = this.provider.getTracer("redgen-e2e", "1.0.0");
  }

  /** Exports every ended span; throws if any export failed. Returns how many spans were accepted so far. */
  async flush(): Promise<number> {
    await this.provider.forceFlush();
    if (this.exporter.failures.length > 0) throw new Error(`OTLP export failed: ${this.exporter.failures.join("; ")}`);
    return this.exporter.exported;
  }

  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }
}

/** The official OTLP/gRPC exporter (grpc-js underneath), insecure for http://, TLS with `ca` (and a client certificate) for https://. */
function grpcExporter(options: TestTracerOptions): SpanExporter {
  const metadata = new Metadata();
  for (const [k, v] of Object.entries(options.headers ?? {})) metadata.set(k.toLowerCase(), v);
  return new OtlpGrpcExporter({
    url: options.endpoint,
    metadata,
    compression: (options.gzip ? "gzip" : "none") as Compression,
    timeoutMillis: 10_000,
    credentials:
      options.ca !== undefined
        ? options.clientCert !== undefined
          ? grpcCredentials.createSsl(Buffer.from(options.ca), Buffer.from(options.clientCert.key), Buffer.from(options.clientCert.cert))
          : grpcCredentials.createSsl(Buffer.from(options.ca))
        : options.endpoint.startsWith("https:")
          ? grpcCredentials.createSsl()
          : grpcCredentials.createInsecure(),
  });
}

/** Passes spans to the real exporter and remembers what it reported. */
class CheckedExporter implements SpanExporter {
  failures: string[] = [];
  exported = 0;

  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], done: ExportCallback): void {
    this.inner.export(spans, (result) => {
      if (result.code === 0) this.exported += spans.length;
      else this.failures.push(String(result.error?.message ?? result.error ?? `code ${result.code}`));
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** A span to record with an exact duration. */
export interface SpanSpec {
  name: string;
  kind: SpanKind;
  durationMs: number;
  status?: SpanStatus;
  attributes?: Attributes;
}

/** Ids of a recorded span. */
export interface RecordedSpan {
  traceId: string;
  spanId: string;
  spec: SpanSpec;
}

/**
 * Records a span that ends at `end` (default now) and lasted exactly
 * `durationMs`: start and end are given to the SDK as HrTime pairs, so the
 * OTLP nanosecond timestamps differ by exactly that duration.
 */
export function recordSpan(tracer: Tracer, spec: SpanSpec, end: HrTime = hrNow()): RecordedSpan {
  const start = hrMinus(end, Math.round(spec.durationMs * 1e6));
  const span = tracer.startSpan(spec.name, { kind: spec.kind, startTime: start, attributes: spec.attributes });
  if (spec.status !== undefined) span.setStatus(spec.status);
  span.end(end);
  const ctx = span.spanContext();
  return { traceId: ctx.traceId, spanId: ctx.spanId, spec };
}

/** Wall-clock now as [seconds, nanoseconds]. */
export function hrNow(): HrTime {
  const ms = Date.now();
  return [Math.floor(ms / 1000), (ms % 1000) * 1e6];
}

function hrMinus([sec, ns]: HrTime, minusNs: number): HrTime {
  let s = sec - Math.floor(minusNs / 1e9);
  let n = ns - (minusNs % 1e9);
  if (n < 0) {
    n += 1e9;
    s -= 1;
  }
  return [s, n];
}

/**
 * Trace ids that start with zeros (then random hex), so that tests see the
 * exemplar rule "trace id hex with leading zeros stripped" actually strip
 * something. Span ids are random.
 */
export class LeadingZeroIdGenerator implements IdGenerator {
  constructor(private readonly zeros = 5) {}

  generateTraceId(): string {
    // A non-zero digit right after the zeros makes the expected stripped id obvious.
    return "0".repeat(this.zeros) + "a" + randomHex(31 - this.zeros);
  }

  generateSpanId(): string {
    return randomHex(16);
  }
}

function randomHex(chars: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(chars / 2)));
  return Buffer.from(bytes).toString("hex").slice(0, chars);
}

/** The exemplar label value Tempo writes for a trace id: lowercase hex, leading zeros stripped. */
export function exemplarTraceId(traceId: string): string {
  return traceId.toLowerCase().replace(/^0+/, "");
}
