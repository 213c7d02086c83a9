import type { Tenant } from "../process/tenants.ts";
import { EntityLimiter } from "../registry/entity-limiter.ts";
import { TOKENS_PER_LINE_BUCKETS } from "../registry/span-name-sanitizer.ts";
import type { SelfFamily, SelfSample } from "./self-metrics.ts";

const R = "tempo_metrics_generator_registry";

const family = (type: SelfFamily["type"], name: string, help: string, samples: SelfSample[]): SelfFamily => ({ name, help, type, samples });

/**
 * The registry's limit and cardinality families with Tempo's names (spec
 * §11.1): the series or entity limiter, the demand estimates, the per-label
 * limiter and span-name sanitizing. Families of a control a tenant has never
 * turned on have no sample for it, as Tempo creates them on first use.
 */
export function limiterFamilies(tenants: Tenant[]): SelfFamily[] {
  const per = (list: Tenant[], f: (t: Tenant) => number) => list.map((t) => ({ labels: { tenant: t.id }, value: f(t) }));
  const series = tenants.filter((t) => t.registry.limiter.kind === "series");
  const entity = tenants.filter((t) => t.registry.limiter instanceof EntityLimiter);
  const ent = (t: Tenant) => t.registry.limiter as EntityLimiter;
  const labels = tenants.flatMap((t) => [...t.registry.controls.labelLimiter.labels()].map((s) => ({ t, s })));
  const sanitizing = tenants.filter((t) => t.registry.controls.sanitizer !== null);
  const drain = (t: Tenant) => (t.registry.controls.sanitizer as NonNullable<typeof t.registry.controls.sanitizer>).counters;
  return [
    family("gauge", `${R}_active_series`, "Active series in the tenant's registry.", per(tenants, (t) => t.registry.limiter.active)),
    family("gauge", `${R}_max_active_series`, "The active-series limit (0 = none).", per(series, (t) => t.registry.limiter.maxActive)),
    family("counter", `${R}_series_added_total`, "Series created.", per(tenants, (t) => t.registry.limiter.added)),
    family("counter", `${R}_series_removed_total`, "Series removed as stale.", per(tenants, (t) => t.registry.limiter.removed)),
    family("counter", `${R}_series_limited_total`, "Series refused by max_active_series (sent to the overflow series), by series cost.", per(series, (t) => t.registry.limiter.limited)),
    family("gauge", `${R}_active_entities`, "Active entities (distinct label sets with a live series).", per(entity, (t) => ent(t).entities)),
    family("gauge", `${R}_max_active_entities`, "The active-entity limit (0 = none).", per(entity, (t) => ent(t).maxActive)),
    family("counter", `${R}_entities_added_total`, "Entities created.", per(entity, (t) => ent(t).entitiesAdded)),
    family("counter", `${R}_entities_removed_total`, "Entities removed after their last series went stale.", per(entity, (t) => ent(t).entitiesRemoved)),
    family("counter", `${R}_entities_limited_total`, "Attempts to create a series for an entity over max_active_entities.", per(entity, (t) => ent(t).limited)),
    family("gauge", `${R}_active_series_demand_estimate`, "Series the tenant would have without limits (HyperLogLog, over stale_duration).", per(tenants, (t) => t.registry.seriesDemand())),
    family("gauge", `${R}_entity_demand_estimate`, "Entities the tenant would have without limits (HyperLogLog, over stale_duration).", per(tenants, (t) => t.registry.controls.entityDemand.estimate())),
    family(
      "counter",
      `${R}_label_values_limited_total`,
      "Label values replaced by __cardinality_overflow__ (max_cardinality_per_label).",
      labels.filter(({ s }) => s.limited > 0).map(({ t, s }) => ({ labels: { tenant: t.id, label_name: s.name }, value: s.limited })),
    ),
    family(
      "gauge",
      `${R}_label_cardinality_demand_estimate`,
      "Distinct values of each label over stale_duration (HyperLogLog), as the per-label limit sees them.",
      labels
        .filter(({ t }) => t.registry.controls.labelLimiter.active)
        .map(({ t, s }) => ({ labels: { tenant: t.id, label_name: s.name }, value: s.estimate })),
    ),
    family("counter", `${R}_spans_sanitized_total`, "Spans whose span_name DRAIN replaced (or would replace, in dry_run) by a template.", per(sanitizing, (t) => drain(t).spansSanitized)),
    family("gauge", `${R}_post_sanitization_demand_estimate`, "Label sets the tenant would have after span-name sanitizing (HyperLogLog).", per(sanitizing, (t) => t.registry.controls.sanitizedDemand.estimate())),
    family("counter", `${R}_drain_patterns_evicted_total`, "Span-name patterns evicted because the cluster cap was reached.", per(sanitizing, (t) => drain(t).patternsEvicted)),
    family("counter", `${R}_drain_patterns_expired_total`, "Span-name patterns expired (Tempo sets no expiry, so this stays 0).", per(sanitizing, (t) => drain(t).patternsExpired)),
    family("counter", `${R}_drain_patterns_detected_total`, "Span-name patterns created.", per(sanitizing, (t) => drain(t).patternsDetected)),
    family(
      "counter",
      `${R}_drain_lines_skipped_total`,
      "Span names DRAIN skipped, by reason.",
      sanitizing.flatMap((t) => [
        { labels: { reason: "too_few_tokens", tenant: t.id }, value: drain(t).linesSkippedTooFew },
        { labels: { reason: "too_many_tokens", tenant: t.id }, value: drain(t).linesSkippedTooMany },
      ]),
    ),
    family("histogram", `${R}_drain_tokens_per_line`, "Tokens per span name DRAIN clustered.", sanitizing.flatMap((t) => tokenHistogram(t.id, drain(t).tokensPerLine))),
  ];
}

function tokenHistogram(tenant: string, h: { counts: Float64Array; sum: number; count: number }): SelfSample[] {
  const out: SelfSample[] = [];
  let cumulative = 0;
  for (let i = 0; i < TOKENS_PER_LINE_BUCKETS.length; i++) {
    cumulative += h.counts[i];
    out.push({ labels: { tenant, le: String(TOKENS_PER_LINE_BUCKETS[i]) }, value: cumulative, suffix: "_bucket" });
  }
  out.push({ labels: { tenant, le: "+Inf" }, value: h.count, suffix: "_bucket" });
  out.push({ labels: { tenant }, value: h.sum, suffix: "_sum" });
  out.push({ labels: { tenant }, value: h.count, suffix: "_count" });
  return out;
}
