import { EnvironmentRpc } from '@eks-info/contracts';
import type { BusPage, BusRead } from '../http/bus-routes';

/**
 * The environment's pages and JSON twins that are each one bus read with no input, answered from
 * the coalesced answer and rendered or encoded once per answer. The gateway app serves them as
 * plain Fastify routes (http/bus-routes.ts says why); the rest of the area is Nest controllers.
 */
export const ENVIRONMENT_PAGES: readonly BusPage[] = [
  /**
   * `/`: where this runs — pod, cluster, node, EC2, architecture, network, environment variables.
   * The interruption card is live: /environment/live pushes it again while the page is open.
   */
  {
    url: '/',
    contract: EnvironmentRpc.overview,
    page: { title: 'Environment', active: 'home', template: 'environment/views/home', live: '/environment/live' },
    as: 'env',
  },
  /** `/resources`: pods, services, workloads, node usage, volumes and warnings from the informer caches. */
  {
    url: '/resources',
    contract: EnvironmentRpc.resources,
    page: { title: 'Resources', active: 'resources', template: 'environment/views/resources' },
    as: 'view',
  },
];

export const ENVIRONMENT_READS: readonly BusRead[] = [
  { url: '/api/v1/environment', contract: EnvironmentRpc.overview },
  /** This node's spot interruption notice and rebalance recommendation (at most a few seconds old). */
  { url: '/api/v1/environment/interruption', contract: EnvironmentRpc.interruption },
  { url: '/api/v1/resources', contract: EnvironmentRpc.resources },
  { url: '/api/v1/network', contract: EnvironmentRpc.network },
];
