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
  /** position and slot of the implicit virtual_node dimension, or -1 */
  readonly virtualNodePos: number = -1;
  readonly virtualNodeSlot: number = -1;

  constructor(cfg: ServiceGraphsConfig, projection: AttributeProjection) {
    this.dimSlots = cfg.dimensions.map((d) => projection.slot(d));
    for (const d of cfg.dimensions) {
      const name = sanitizeLabelName(d);
      if (cfg.enable_client_server_prefix) {
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
      this.virtualNodeSlot = projection.slot("virtual_node");
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
