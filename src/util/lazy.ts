/**
 * A value made on first use and kept. redgen loads its generated protobuf
 * modules this way (`lazy(() => require(...))`): evaluating any of them boots
 * protobuf-es's descriptor.proto, ~25 ms of a start that serves OTLP
 * protobuf without them (the wire decoder reads bytes directly); they come
 * in with the first request that needs them (OTLP/JSON, an error status,
 * a partial success, a Kafka record in Tempo's format).
 */
export function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  let made = false;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value as T;
  };
}
