/**
 * `-config.expand-env=true`: Tempo runs the config text through drone/envsubst
 * before parsing YAML. redgen supports the forms Tempo configs use in practice.
 */

// $$ | ${NAME} | ${NAME:-default} | ${NAME-default}
const REFERENCE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g;

/**
 * Replaces `${VAR}` with the variable's value (empty when unset), `${VAR:-x}`
 * with x when VAR is unset or empty, `${VAR-x}` with x only when VAR is unset,
 * and `$$` with a literal `$`. Bare `$VAR` is left as written (drone/envsubst
 * would expand it), so regexes ending in `$` and passwords containing `$` survive.
 */
export function expandEnv(text: string, env: Record<string, string | undefined> = process.env): string {
  return text.replace(REFERENCE, (whole: string, name?: string, operator?: string, fallback?: string) => {
    if (whole === "$$") return "$";
    const value = env[name as string];
    if (operator === ":-") return value === undefined || value === "" ? (fallback ?? "") : value;
    if (operator === "-") return value === undefined ? (fallback ?? "") : value;
    return value ?? "";
  });
}
