import { defineRpc } from '../common/rpc';
import type { EnvironmentOverview } from './dto/overview.dto';
import type { NetworkRefreshResult, NetworkView } from './dto/network.dto';
import type { ResourcesView } from './dto/resources.dto';

/** Empty request body; a named type so handlers and senders agree on it. */
export type NoParams = Record<string, never>;

export const EnvironmentRpc = {
  overview: defineRpc<NoParams, EnvironmentOverview>('environment', 'environment.overview.get', { coalesce: true }),
  resources: defineRpc<NoParams, ResourcesView>('environment', 'environment.resources.get', { coalesce: true }),
  network: defineRpc<NoParams, NetworkView>('environment', 'environment.network.get', { coalesce: true }),
  /** Drops the cached AWS answers so the next network view fetches fresh ones. */
  refreshNetwork: defineRpc<NoParams, NetworkRefreshResult>('environment', 'environment.network.refresh'),
} as const;
