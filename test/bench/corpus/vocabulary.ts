/**
 * The fixed word lists the shop and its spans draw names from. Order matters:
 * services, languages and databases are assigned by index, and every other
 * list is drawn from by position, so reordering one changes the corpus.
 */
import type { Language } from "./shop.ts";

/** The first services' names, front door first; services past these are `service-<i>`. */
export const SERVICE_NAMES = [
  "frontend",
  "api-gateway",
  "auth",
  "user",
  "catalog",
  "search",
  "recommendation",
  "cart",
  "checkout",
  "payment",
  "shipping",
  "inventory",
  "pricing",
  "notification",
  "email",
  "review",
  "ad",
  "currency",
  "fraud-detection",
  "accounting",
];

/** Resource nouns (HTTP routes, DB tables) and sub-resources (HTTP routes). */
export const NOUNS = [
  "orders", "users", "items", "products", "carts", "payments", "shipments", "invoices", "reviews", "ads",
  "prices", "rates", "sessions", "tokens", "accounts", "addresses", "stock", "warehouses", "notifications", "emails",
  "recommendations", "categories", "coupons", "wishlists", "profiles", "suggestions", "images", "settings", "events", "quotes",
];
export const SUBS = ["items", "status", "history", "details", "summary", "lines", "refunds", "labels", "tracking", "preferences"];

/** SDK languages, assigned to services round-robin. */
export const LANGS: Language[] = [
  { lang: "java", version: "1.44.1", oldDb: false, peerService: true },
  { lang: "nodejs", version: "1.30.1", oldDb: true, peerService: false },
  { lang: "go", version: "1.35.0", oldDb: false, peerService: false },
  { lang: "python", version: "1.33.0", oldDb: true, peerService: true },
  { lang: "dotnet", version: "1.11.2", oldDb: false, peerService: false },
];

/** Database systems, assigned to the services that own one. */
export const DBS = [
  { system: "postgresql", port: 5432 },
  { system: "mysql", port: 3306 },
  { system: "redis", port: 6379 },
  { system: "mongodb", port: 27017 },
];

/** Kafka topics, one per producer → consumer pair. */
export const TOPICS = ["orders", "payments", "notifications", "inventory-events", "audit-log"];

/** user_agent.original of HTTP server spans. */
export const USER_AGENTS = [
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
  "okhttp/4.12.0",
  "Go-http-client/1.1",
  "python-requests/2.32.3",
];

/** What internal spans are named after (`<service>.<verb>`). */
export const INTERNAL_VERBS = ["validate", "serialize", "render", "cache.lookup", "compute", "authorize", "map", "enrich"];
