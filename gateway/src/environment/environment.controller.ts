import { Controller, HttpCode, Post } from '@nestjs/common';
import { EnvironmentRpc } from '@eks-info/contracts';
import { MessageBus } from '@eks-info/platform';
import type { BusRead } from '../http/bus-reads';

/**
 * The JSON twins of the environment pages. Each is one bus read with no input, answered from the
 * coalesced answer and encoded once per answer, so they are served as plain Fastify routes
 * (http/bus-reads.ts explains why, the gateway app registers them).
 */
export const ENVIRONMENT_READS: readonly BusRead[] = [
  { url: '/api/v1/environment', contract: EnvironmentRpc.overview },
  /** This node's spot interruption notice and rebalance recommendation (at most a few seconds old). */
  { url: '/api/v1/environment/interruption', contract: EnvironmentRpc.interruption },
  { url: '/api/v1/resources', contract: EnvironmentRpc.resources },
  { url: '/api/v1/network', contract: EnvironmentRpc.network },
];

/** The environment's JSON mutations. Errors become the error envelope (gateway filter). */
@Controller('api/v1')
export class EnvironmentApiController {
  constructor(private readonly bus: MessageBus) {}

  /** Drops the cached AWS answers; the next GET fetches fresh ones. */
  @Post('network/refresh')
  @HttpCode(200)
  refreshNetwork() {
    return this.bus.request(EnvironmentRpc.refreshNetwork, {});
  }
}
