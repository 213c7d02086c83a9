/**
 * Realistic span names for the DRAIN sanitizer's tests and bench: the
 * families that blow up span-name cardinality in practice (REST paths with
 * numeric ids, UUIDs and object ids, SQL with literals, queue and partition
 * names, Redis keys, k8s pod names, hashed asset names, dates) next to names
 * that must stay apart (gRPC methods, fixed operation names) and edge cases
 * (too few / too many tokens, non-ASCII, URL-encoding, an invalid byte).
 * Seeded: the same seed gives the same names.
 */
import { Rng } from "../bench/corpus/rng.ts";

/** A seeded source of floats in [0, 1), from the bench corpus' generator. */
export function seededRandom(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.float();
}

type Draw = () => number;
const pick = <T>(r: Draw, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Draw, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const hex = (r: Draw, n: number): string => Array.from({ length: n }, () => "0123456789abcdef"[int(r, 0, 15)]).join("");
const alnum = (r: Draw, n: number): string => Array.from({ length: n }, () => "bcdfghjklmnpqrstvwxz2456789"[int(r, 0, 26)]).join("");
const uuid = (r: Draw): string => `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-a${hex(r, 3)}-${hex(r, 12)}`;
const fullwidth = (n: number): string => [...String(n)].map((d) => String.fromCharCode(0xff10 + Number(d))).join("");

const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"];
const RESOURCES = ["users", "orders", "products", "carts", "invoices", "payments", "sessions", "accounts", "reviews", "shipments"];
const SUBRESOURCES = ["orders", "items", "settings", "avatar", "history", "addresses", "status", "refunds"];
const TABLES = ["users", "orders", "order_items", "products", "inventory", "customers", "payments", "audit_log"];
const COLUMNS = ["id", "name", "email", "status", "total", "created_at", "updated_at", "customer_id", "sku", "quantity"];
const TOPICS = ["orders", "payments", "shipments", "inventory-updates", "user-events", "emails"];
const SERVICES = ["payment", "checkout", "cart", "catalog", "shipping", "auth", "recommendation", "email"];
const GRPC = [
  "/pkg.Service/GetUser", "/pkg.Service/ListUsers", "/pkg.Service/CreateUser", "/pkg.Service/DeleteUser",
  "/shop.v1.CartService/AddItem", "/shop.v1.CartService/GetCart", "/shop.v1.CartService/EmptyCart",
  "/shop.v1.CheckoutService/PlaceOrder", "/shop.v1.PaymentService/Charge", "/grpc.health.v1.Health/Check",
  "/shop.v1.ProductCatalogService/SearchProducts", "/shop.v1.ProductCatalogService/GetProduct",
];
const FIXED = [
  "GET", "POST", "HTTP GET", "HTTP POST", "GET /api/users/{id}", "POST /api/orders", "checkout.process", "cart.add_item",
  "SELECT shop.orders", "INSERT shop.order_items", "redis GET", "kafka.produce", "render", "db.query", "health",
  "GET /healthz", "middleware - jsonParser", "request handler - /api/v1/orders/:id", "fs readFile", "dns.lookup",
];
const WORDS = ["shoes", "red", "jacket", "gift", "sale", "summer", "kids", "laptop", "phone", "case"];

/** Each family draws one name; the weights roughly follow how often such spans occur. */
const FAMILIES: [number, (r: Draw) => string][] = [
  [14, (r) => `${pick(r, METHODS)} /api/${pick(r, RESOURCES)}/${int(r, 1, 99999)}`],
  [10, (r) => `${pick(r, METHODS)} /api/v1/${pick(r, RESOURCES)}/${int(r, 1, 99999)}/${pick(r, SUBRESOURCES)}`],
  [6, (r) => `${pick(r, METHODS)} /api/${pick(r, RESOURCES)}/${uuid(r)}`],
  [4, (r) => `GET /api/${pick(r, RESOURCES)}/${hex(r, 24)}/${pick(r, SUBRESOURCES)}`],
  [3, (r) => `GET /search?q=${pick(r, WORDS)}%20${pick(r, WORDS)}&page=${int(r, 1, 40)}`],
  [8, (r) => `SELECT * FROM ${pick(r, TABLES)} WHERE id = ${int(r, 1, 99999)}`],
  [4, (r) => `SELECT ${pick(r, COLUMNS)}, ${pick(r, COLUMNS)} FROM ${pick(r, TABLES)} WHERE ${pick(r, COLUMNS)} = '${pick(r, WORDS)}' LIMIT ${int(r, 1, 100)}`],
  [3, (r) => `SELECT * FROM ${pick(r, TABLES)} WHERE id IN (${Array.from({ length: int(r, 1, 6) }, () => int(r, 1, 999)).join(", ")})`],
  [3, (r) => `INSERT INTO ${pick(r, TABLES)} (id, total, created_at) VALUES (${int(r, 1, 99999)}, ${int(r, 1, 999)}.${int(r, 10, 99)}, '2024-0${int(r, 1, 9)}-${int(r, 10, 28)}')`],
  [3, (r) => `UPDATE ${pick(r, TABLES)} SET status = '${pick(r, ["paid", "shipped", "cancelled"])}' WHERE id = ${int(r, 1, 99999)}`],
  [5, (r) => `${pick(r, TOPICS)}-${int(r, 0, 15)} process`],
  [4, (r) => `kafka.consume topic-${int(r, 0, 31)}`],
  [2, (r) => `${pick(r, TOPICS)} publish`],
  [3, (r) => `send ${pick(r, TOPICS)}.v1 partition ${int(r, 0, 11)}`],
  [4, (r) => `${pick(r, ["GET", "HGETALL", "DEL", "EXPIRE"])} ${pick(r, ["user", "session", "cart", "product"])}:${int(r, 1, 99999)}:${pick(r, ["profile", "items", "meta"])}`],
  [3, (r) => `SETEX cache:${pick(r, RESOURCES)}:${hex(r, 12)} ${pick(r, [60, 300, 3600])}`],
  [8, (r) => pick(r, GRPC)],
  [8, (r) => pick(r, FIXED)],
  [3, (r) => `call ${pick(r, SERVICES)}-${hex(r, 9)}-${alnum(r, 5)}`],
  [2, (r) => `GET /static/js/main.${hex(r, 8)}.chunk.js`],
  [2, (r) => `GET /assets/img/${pick(r, WORDS)}-${int(r, 1, 500)}.png`],
  [2, (r) => `cron nightly-report 2024-${String(int(r, 1, 12)).padStart(2, "0")}-${String(int(r, 1, 28)).padStart(2, "0")}`],
  [1, (r) => `получить /пользователи/${int(r, 1, 9999)}/заказы`],
  [1, (r) => `注文 ${fullwidth(int(r, 1, 9999))} 確認`],
  [1, (r) => `📦 ship parcel ${int(r, 1, 9999)} to ${pick(r, ["Zürich", "Köln", "São Paulo", "Ōsaka"])}`],
  [1, (r) => `GET /files/${pick(r, WORDS)}%2F${int(r, 1, 99)}%4`],
  [1, (r) => `upload ${pick(r, WORDS)}\udc80${int(r, 1, 99)}.bin`],
  [1, (r) => `SELECT ${Array.from({ length: int(r, 14, 30) }, () => pick(r, COLUMNS)).join(", ")} FROM ${pick(r, TABLES)} WHERE id = ${int(r, 1, 999)}`],
];
const TOTAL_WEIGHT = FAMILIES.reduce((s, [w]) => s + w, 0);

/** One name from a family chosen by weight. */
export function randomSpanName(r: Draw): string {
  let x = r() * TOTAL_WEIGHT;
  for (const [w, f] of FAMILIES) {
    x -= w;
    if (x < 0) return f(r);
  }
  return FAMILIES[FAMILIES.length - 1][1](r);
}

/**
 * A stream of `count` span names as a service would see them: families
 * interleaved, and with probability `repeat` a name drawn again from the ones
 * seen so far (recent ones more likely).
 */
export function spanNameStream(seed: number, count: number, repeat = 0.5): string[] {
  const r = seededRandom(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    if (out.length > 0 && r() < repeat) out.push(out[out.length - 1 - Math.floor(out.length * r() * r())]);
    else out.push(randomSpanName(r));
  }
  return out;
}

/** `count` distinct names (for memory at a given number of distinct raw names). */
export function distinctSpanNames(seed: number, count: number): string[] {
  const r = seededRandom(seed);
  const seen = new Set<string>();
  while (seen.size < count) seen.add(randomSpanName(r));
  return [...seen];
}
