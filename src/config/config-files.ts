/**
 * Files a config refers to (secrets, certificates, the per-tenant overrides
 * file). They are read once at load so a missing file fails at startup with the
 * key that named it, not at the first remote write. Relative paths resolve
 * against the working directory, as in Tempo.
 */
import { accessSync, constants, readFileSync } from "node:fs";
import type { PathSegment, Problems } from "./config-error.ts";

/** The file's text, or undefined after recording a problem at `at`. */
export function readReferencedFile(file: string, problems: Problems, at: readonly PathSegment[]): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    problems.add(at, `cannot read ${JSON.stringify(file)}: ${describeFsError(e)}`);
    return undefined;
  }
}

/** Records a problem at `at` unless the file exists and is readable. */
export function checkReadable(file: string, problems: Problems, at: readonly PathSegment[]): void {
  try {
    accessSync(file, constants.R_OK);
  } catch (e) {
    problems.add(at, `cannot read ${JSON.stringify(file)}: ${describeFsError(e)}`);
  }
}

/** "no such file" rather than "ENOENT: no such file or directory, open '/x'". */
export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  return (e as Error).message;
}
