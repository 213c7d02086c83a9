/**
 * Why a request could not be decoded. Always permanent: retrying the same
 * bytes gives the same answer. Receivers map `reason` to their status codes.
 */
export class DecodeError extends Error {
  override readonly name = "DecodeError";
  constructor(
    readonly reason: "invalid" | "too_large",
    message: string,
  ) {
    super(message);
  }
}
