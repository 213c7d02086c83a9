/**
 * A YAML number written as a float (`200.0`, `1e3`, `.5`), kept apart from an
 * integer of the same value where the type matters. Go's yaml.v2 decodes a
 * filter-policy `value` into interface{} as float64 or int by how it is
 * written, and Tempo then builds a float filter (matching only double
 * attributes) or an int filter (spec §7). JS numbers cannot tell `200.0` from
 * `200`, so the loader wraps float-written numbers under `filter_policies`
 * (the only Tempo setting typed by its YAML scalar) in this class.
 */
export class YamlFloat {
  constructor(
    readonly value: number,
    /** the scalar as written, e.g. "200.0" */
    readonly source: string,
  ) {}
  // No toJSON: the yaml package's toJS would call it and unwrap the number again.
}

/** Whether a plain YAML scalar that parsed as a number is written as a float (YAML 1.1/1.2 float syntax). */
export function writtenAsFloat(source: string): boolean {
  const s = source.trim();
  if (/^[-+]?0x/i.test(s)) return false;
  return /[.eE]/.test(s) || /^[-+]?\.?(inf|nan)$/i.test(s);
}
