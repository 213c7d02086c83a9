/**
 * One Prometheus `remote_write` block (spec §9) as Tempo accepts it under
 * `metrics_generator.storage.remote_write`. Settings redgen cannot honour fail
 * with their own path rather than being silently dropped: an ignored auth or
 * relabel rule would send data somewhere it should not go.
 */
import { z } from "zod";
import {
  block,
  ignored,
  ignoredBecause,
  opt,
  optionalBlock,
  strictBlock,
  unsupported,
  withDefault,
} from "./schema-blocks.ts";
import { bool, duration, intAtLeast, str, stringList, stringMap } from "./schema-scalars.ts";

const notSupported = (what: string) => `${what} is not supported by redgen`;

const basicAuth = strictBlock({
  username: opt(str),
  username_file: opt(str),
  password: opt(str),
  password_file: opt(str),
});

const authorization = strictBlock({
  type: withDefault(str, "Bearer"),
  credentials: opt(str),
  credentials_file: opt(str),
});

const tlsConfig = strictBlock({
  ca: opt(str),
  ca_file: opt(str),
  cert: opt(str),
  cert_file: opt(str),
  key: opt(str),
  key_file: opt(str),
  server_name: opt(str),
  insecure_skip_verify: withDefault(bool, false),
  min_version: unsupported(notSupported("tls_config.min_version")),
  max_version: unsupported(notSupported("tls_config.max_version")),
});

const queueConfig = strictBlock({
  capacity: withDefault(intAtLeast(1), 10_000),
  max_shards: withDefault(intAtLeast(1), 50),
  min_shards: ignored(intAtLeast(1), ignoredBecause("redgen sends with a fixed concurrency"), 1),
  max_samples_per_send: withDefault(intAtLeast(1), 2_000),
  batch_send_deadline: ignored(duration, ignoredBecause("each collection is sent as soon as it is taken"), 5_000),
  min_backoff: withDefault(duration, "30ms"),
  max_backoff: withDefault(duration, "5s"),
  retry_on_http_429: withDefault(bool, false),
  sample_age_limit: withDefault(duration, "0s"),
});

// Prometheus common/config OAuth2: the client-credentials grant
const oauth2 = strictBlock({
  client_id: str,
  client_secret: opt(str),
  client_secret_file: opt(str),
  token_url: str,
  scopes: withDefault(stringList, []),
  endpoint_params: withDefault(stringMap, {}),
  tls_config: optionalBlock(tlsConfig),
  grant_type: withDefault(str, "client_credentials"),
  client_secret_ref: unsupported(notSupported("oauth2.client_secret_ref (secret managers)")),
  client_certificate_key_id: unsupported(notSupported("oauth2 JWT bearer grants")),
  client_certificate_key: unsupported(notSupported("oauth2 JWT bearer grants")),
  client_certificate_key_file: unsupported(notSupported("oauth2 JWT bearer grants")),
  client_certificate_key_ref: unsupported(notSupported("oauth2 JWT bearer grants")),
  signature_algorithm: unsupported(notSupported("oauth2 JWT bearer grants")),
  iss: unsupported(notSupported("oauth2 JWT bearer grants")),
  audience: unsupported(notSupported("oauth2 JWT bearer grants")),
  claims: unsupported(notSupported("oauth2 JWT bearer grants")),
  proxy_url: unsupported(notSupported("oauth2.proxy_url")),
  no_proxy: unsupported(notSupported("oauth2.no_proxy")),
  proxy_from_environment: unsupported(notSupported("oauth2.proxy_from_environment")),
  proxy_connect_header: unsupported(notSupported("oauth2.proxy_connect_header")),
});

// prometheus/sigv4: static keys or the AWS_* environment; the other credential sources need the AWS SDK
const sigv4 = strictBlock({
  region: withDefault(str, ""),
  access_key: withDefault(str, ""),
  secret_key: withDefault(str, ""),
  service_name: withDefault(str, "aps"),
  profile: unsupported(notSupported("sigv4.profile (shared AWS config files)")),
  role_arn: unsupported(notSupported("sigv4.role_arn (STS AssumeRole)")),
  external_id: unsupported(notSupported("sigv4.external_id (STS AssumeRole)")),
  use_fips_sts_endpoint: unsupported(notSupported("sigv4.use_fips_sts_endpoint (STS)")),
});

// http_headers (Prometheus common/config): values are sent as is; secrets too; files are read at load.
const httpHeader = strictBlock({
  values: withDefault(stringList, []),
  secrets: withDefault(stringList, []),
  files: withDefault(stringList, []),
});

/** Parsed remote_write block; remote-write.ts turns it into a RemoteWriteConfig. */
export const remoteWriteSchema = strictBlock({
  url: str,
  name: withDefault(str, ""),
  remote_timeout: withDefault(duration, "30s"),
  headers: withDefault(stringMap, {}),
  http_headers: withDefault(z.record(z.string(), block(httpHeader)), {}),
  basic_auth: optionalBlock(basicAuth),
  authorization: optionalBlock(authorization),
  bearer_token: opt(str),
  bearer_token_file: opt(str),
  tls_config: optionalBlock(tlsConfig),
  send_exemplars: opt(bool),
  send_native_histograms: opt(bool),
  queue_config: block(queueConfig),
  metadata_config: ignored(undefined, ignoredBecause("metadata is not sent; Tempo sends none either")),
  protobuf_message: withDefault(str, "prometheus.WriteRequest"),
  follow_redirects: ignored(bool, ignoredBecause("redirects are always followed"), true),
  enable_http2: ignored(bool, ignoredBecause("the HTTP version is chosen by the runtime"), true),
  round_robin_dns: ignored(bool, ignoredBecause(), false),
  proxy_url: unsupported(notSupported("proxy_url")),
  no_proxy: unsupported(notSupported("no_proxy")),
  proxy_from_environment: unsupported(notSupported("proxy_from_environment")),
  proxy_connect_header: unsupported(notSupported("proxy_connect_header")),
  write_relabel_configs: unsupported(notSupported("write_relabel_configs")),
  sigv4: optionalBlock(sigv4),
  oauth2: optionalBlock(oauth2),
  azuread: unsupported(notSupported("azuread authentication")),
  google_iam: unsupported(notSupported("google_iam authentication")),
});

/** Parsed remote_write block. */
export type ParsedRemoteWrite = z.output<typeof remoteWriteSchema>;
