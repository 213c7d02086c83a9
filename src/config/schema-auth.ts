/**
 * `auth:` under an OTLP receiver protocol and under `server:` (redgen
 * additions). The OpenTelemetry Collector names an authenticator extension
 * here (`authenticator: basicauth/server`); redgen has no extensions, so the
 * settings of the two the Collector ships for servers sit in the block itself,
 * spelled as theirs: `bearertokenauth` (scheme, token, filename, tokens) and
 * `basicauth` (htpasswd.file / htpasswd.inline). redgen adds a tenant per
 * token or user. config/auth.ts reads the files and checks the values.
 */
import { z } from "zod";
import { block, opt, optionalBlock, strictBlock, unsupported, withDefault } from "./schema-blocks.ts";
import { nonEmptyStr, str, stringMap } from "./schema-scalars.ts";

/** One accepted token: inline, or the content of a file; optionally pinned to a tenant. */
const tokenEntry = z.union([
  nonEmptyStr,
  strictBlock({ token: opt(nonEmptyStr), filename: opt(nonEmptyStr), tenant: opt(nonEmptyStr) }),
]);

const bearerTokenAuth = strictBlock({
  scheme: withDefault(str, "Bearer"),
  header: withDefault(nonEmptyStr, "Authorization"),
  token: opt(nonEmptyStr),
  filename: opt(nonEmptyStr),
  tokens: withDefault(z.array(tokenEntry), []),
});

const basicAuth = strictBlock({
  htpasswd: block(strictBlock({ file: opt(nonEmptyStr), inline: opt(str) })),
  /** user → tenant (redgen) */
  tenants: withDefault(stringMap, {}),
  client_auth: unsupported("basicauth.client_auth configures a client; redgen's receivers are servers"),
});

/** The `auth:` block. */
export const authSchema = strictBlock({
  authenticator: unsupported(
    "redgen has no extensions to refer to: put the authenticator's settings here instead (bearertokenauth: or basicauth:)",
  ),
  request_params: unsupported("request_params is not supported by redgen"),
  bearertokenauth: optionalBlock(bearerTokenAuth),
  basicauth: optionalBlock(basicAuth),
});

/** Parsed `auth:` block. */
export type ParsedAuth = z.output<typeof authSchema>;
