import type { ServiceGraphsConfig } from "../../config/types.ts";
import type { AttributeProjection } from "../../decode/span-batch.ts";
import { sanitizeLabelName } from "../../util/sanitize-label-name.ts";

/**
 * The service-graph label layout (spec §5.6): client, server,
 * connection_type, then the dimensions (one shared label each, or client_/
 * server_ pairs with enable_client_server_prefix), then virtual_node. Later
 * duplicates win, so a dimension named `client` overrides the built-in one.
 */
export class EdgeLabels {
  readonly names: string[] = ["client", "server", "connection_type"];
  /** projection slot of each configured dimension */
  readonly dimSlots: number[];
  /** label position written by the client / server side for each dimension */
  readonly clientPos: number[] = [];
  readonly serverPos: number[] = [];
  /** position of the implicit virtual_node dimension, and the attribute slot that fills it; -1 when none */
  readonly virtualNodePos: number = -1;
  readonly virtualNodeSlot: number = -1;

  constructor(cfg: ServiceGraphsConfig, projection: AttributeProjection) {
    const prefixed = cfg.enable_client_server_prefix;
    // With the prefix, Tempo writes `virtual_node` unprefixed and only from expiry:
    // a configured dimension of that name is the same label, never client_/server_ ones.
    const dims = prefixed && cfg.enable_virtual_node_label ? cfg.dimensions.filter((d) => d !== "virtual_node") : cfg.dimensions;
    this.dimSlots = dims.map((d) => projection.slot(d));
    for (const d of dims) {
      const name = sanitizeLabelName(d);
      if (prefixed) {
        this.clientPos.push(this.add(`client_${name}`));
        this.serverPos.push(this.add(`server_${name}`));
      } else {
        const pos = this.add(name);
        this.clientPos.push(pos);
        this.serverPos.push(pos);
      }
    }
    if (cfg.enable_virtual_node_label) {
      this.virtualNodePos = this.add("virtual_node");
      // Without the prefix an attribute literally named virtual_node fills it (spec §5.6);
      // with the prefix Tempo stores that attribute under client_/server_ keys it never emits.
      if (!prefixed) this.virtualNodeSlot = projection.slot("virtual_node");
    }
  }

  /** Number of value positions written per edge beyond the three built-ins. */
  get dimCount(): number {
    return this.names.length - 3;
  }

  private add(name: string): number {
    this.names.push(name);
    return this.names.length - 1;
  }
}
