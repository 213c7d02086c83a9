import { batchFromRequest } from "../decode/from-request.ts";
import { WireBatchDecoder } from "../decode/otlp-wire.ts";
import type { AttributeProjection } from "../decode/span-batch.ts";
import type { ExportTraceServiceRequest } from "../gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import type { Push, PushResult } from "../process/push.ts";
import { GcPacer } from "./gc-pacer.ts";

/**
 * The single path every transport takes after receiving a request: columns
 * for the processors, then the injected push. Throws DecodeError for invalid
 * data or ids, before anything is counted.
 */
export class TraceExport {
  /** set while shutting down: receivers answer "unavailable, retry later" */
  draining = false;

  private readonly wire: WireBatchDecoder;
  /** Kafka records are sized as written (Tempo's distributor already re-marshalled them) */
  private readonly records: WireBatchDecoder;

  constructor(
    private readonly push: Push,
    private readonly projection: AttributeProjection,
    /** young collections by bytes received (protobuf requests and Kafka records) */
    readonly pacer: GcPacer = new GcPacer(),
  ) {
    this.wire = new WireBatchDecoder(projection, true);
    this.records = new WireBatchDecoder(projection, false);
  }

  export(tenant: string, req: ExportTraceServiceRequest, skipMetricsGeneration = false): PushResult {
    this.push.prepare(tenant);
    const batch = batchFromRequest(req, this.projection);
    return this.push.push(tenant, batch, skipMetricsGeneration);
  }

  /** The fast path for OTLP protobuf bytes: straight into columns, no message objects. */
  exportProtobuf(tenant: string, bytes: Uint8Array, skipMetricsGeneration = false): PushResult {
    this.push.prepare(tenant);
    this.pacer.received(bytes.length);
    return this.push.push(tenant, this.wire.decode(bytes), skipMetricsGeneration);
  }

  /** A protobuf payload of a Kafka record (sized as Tempo sizes records, not re-marshalled). */
  exportRecord(tenant: string, bytes: Uint8Array, skipMetricsGeneration: boolean): PushResult {
    this.push.prepare(tenant);
    this.pacer.received(bytes.length);
    return this.push.push(tenant, this.records.decode(bytes), skipMetricsGeneration);
  }
}
