import { SLICE_MS, type Steps, nextTurn } from "../util/slices.ts";

/**
 * A scrape as a stream: each read runs one slice of the walk and sends what
 * the exposition finished meanwhile (`take`; with `end` true, everything).
 * A million series are ~250 MB of text; built whole, the string's encoding
 * for the response alone held the event loop for about a second, and the
 * protobuf format's copies of a family ~0.1 s. Streamed, nothing holds it
 * much longer than a slice, and the text is never in memory whole (a
 * protobuf family is, in pieces: its length comes first). The walk is a live
 * cursor (Metric.collectSteps), as a scrape of client_golang is.
 */
export function scrapeStream(walk: Steps, take: (end: boolean) => Uint8Array[]): ReadableStream<Uint8Array> {
  let first = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // A pull that enqueues nothing is not called again: slices go on until something is finished.
      for (;;) {
        // requests, timers and other streams run between two slices
        if (!first) await nextTurn();
        first = false;
        const end = performance.now() + SLICE_MS;
        let done = false;
        do {
          if (walk.next().done) {
            done = true;
            break;
          }
        } while (performance.now() < end);
        const pieces = take(done);
        for (const piece of pieces) controller.enqueue(piece);
        if (done) controller.close();
        if (done || pieces.length > 0) return;
      }
    },
    cancel() {
      walk.return();
    },
  });
}
