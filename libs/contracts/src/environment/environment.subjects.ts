import { z } from 'zod';
import { defineRpc } from '../common/rpc';
import { EnvironmentOverview } from './dto/overview.dto';
import { InterruptionView } from './dto/interruption.dto';
import { NetworkRefreshResult, NetworkView } from './dto/network.dto';
import { ResourcesView } from './dto/resources.dto';

/** Empty request body; a named schema so handlers and senders agree on it. */
export const NoParams = z.object({});
export type NoParams = z.output<typeof NoParams>;

export const EnvironmentRpc = {
  /**
   * The service collects its overview at most once a second (and serves the last one while the
   * next is collected), so a caller reusing an answer for half of that adds little staleness and
   * takes the round trip off every page view.
   */
  overview: defineRpc('environment', 'environment.overview.get', { request: NoParams, response: EnvironmentOverview }, { coalesce: true, maxAgeMs: 500 }),
  /** This node's spot interruption notice and rebalance recommendation (IMDS, at most a few seconds old). */
  interruption: defineRpc('environment', 'environment.interruption.get', { request: NoParams, response: InterruptionView }, { coalesce: true }),
  resources: defineRpc('environment', 'environment.resources.get', { request: NoParams, response: ResourcesView }, { coalesce: true }),
  network: defineRpc('environment', 'environment.network.get', { request: NoParams, response: NetworkView }, { coalesce: true }),
  /** Drops the cached AWS answers so the next network view fetches fresh ones. */
  refreshNetwork: defineRpc('environment', 'environment.network.refresh', { request: NoParams, response: NetworkRefreshResult }),
} as const;
