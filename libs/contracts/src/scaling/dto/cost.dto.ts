import { z } from 'zod';
import { ErrorBody } from '../../common/errors';

/**
 * Node prices: on-demand from the AWS Price List Query API (pricing:GetProducts), spot from the
 * EC2 spot price history (ec2:DescribeSpotPriceHistory), in USD per hour, cached for hours. A
 * price that could not be looked up is null with the reason; it is never estimated.
 */
export const PRICE_CAPACITY_TYPES = ['on-demand', 'spot'] as const;

/** The nodes of one instance type, capacity type and zone, and their price. */
export const NodePriceRow = z.object({
  instanceType: z.string().nullable(),
  capacityType: z.enum(PRICE_CAPACITY_TYPES).nullable(),
  region: z.string().nullable(),
  zone: z.string().nullable(),
  nodes: z.number(),
  /** USD per hour of one node; null when there is no price (see `problem`). */
  usdPerHour: z.number().nullable(),
  /** `usdPerHour` × `nodes`. */
  totalUsdPerHour: z.number().nullable(),
  /** The IAM action the price comes from (or that failed). */
  source: z.string().nullable(),
  /** Why there is no price: the API had none, the call failed (naming the action), or a node label is missing. */
  problem: z.string().nullable(),
});
export type NodePriceRow = z.output<typeof NodePriceRow>;

/** A failed price lookup: the error (naming the IAM action, with the fix) and how many nodes it leaves without a price. */
export const PriceProblem = ErrorBody.extend({
  action: z.string(),
  nodes: z.number(),
});
export type PriceProblem = z.output<typeof PriceProblem>;

/** What the cluster's nodes cost per hour. */
export const ClusterCost = z.object({
  /** Sum over the nodes that have a price (the others are counted in `unpricedNodes`, never guessed). */
  totalUsdPerHour: z.number(),
  nodes: z.number(),
  pricedNodes: z.number(),
  unpricedNodes: z.number(),
  /** Most expensive first. */
  rows: z.array(NodePriceRow),
  problems: z.array(PriceProblem),
  /** Prices being looked up right now (the section updates when they arrive). */
  pending: z.number(),
  /** Region of the Price List Query API calls (it serves every region). */
  pricingRegion: z.string(),
  /** How long a looked-up price is kept. */
  cacheHours: z.number(),
  /** Set in `npm run demo`: the prices come from the local Pricing stand-in and moto, not from AWS. */
  simulated: z.string().optional(),
});
export type ClusterCost = z.output<typeof ClusterCost>;

/** A node a scale-out added, and what it cost while it lasted. */
export const AddedNodeCost = z.object({
  name: z.string(),
  instanceType: z.string().nullable(),
  capacityType: z.string().nullable(),
  zone: z.string().nullable(),
  createdAt: z.string(),
  /** When it was removed; null while it runs (then the cost is counted up to now). */
  removedAt: z.string().nullable(),
  /** Hours it lived (so far, while it runs); null when its end is unknown (removed while the monitor was down). */
  hours: z.number().nullable(),
  usdPerHour: z.number().nullable(),
  /** usdPerHour × hours; null without either. */
  usd: z.number().nullable(),
  problem: z.string().nullable(),
});
export type AddedNodeCost = z.output<typeof AddedNodeCost>;

/** The extra cost of a scale-out: the nodes it added, their $/h and what they cost while they lasted. */
export const ScaleOutCost = z.object({
  nodes: z.array(AddedNodeCost),
  /** Extra USD per hour of the added nodes that have a price. */
  addedUsdPerHour: z.number(),
  /** What the added nodes with a price and a known lifetime cost in all. */
  usd: z.number(),
  /** Added nodes left out of the sums (no price, or no known end). */
  unpricedNodes: z.number(),
  /** Some added node still runs: `usd` grows. */
  running: z.boolean(),
  simulated: z.string().optional(),
});
export type ScaleOutCost = z.output<typeof ScaleOutCost>;

/** The cost part of a stress test's timeline: the cluster's $/h now and what the nodes added in the test window cost. */
export const WindowCost = ScaleOutCost.extend({
  /** The whole cluster's USD per hour now (priced nodes); null when no price is known. */
  clusterUsdPerHour: z.number().nullable(),
  /** Problems of the price lookups (each names the IAM action). */
  problems: z.array(PriceProblem),
});
export type WindowCost = z.output<typeof WindowCost>;
