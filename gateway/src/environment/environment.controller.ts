import { Controller, HttpCode, Post } from '@nestjs/common';
import { EnvironmentRpc } from '@eks-info/contracts';
import { MessageBus } from '@eks-info/platform';

/** The environment's JSON mutations (its reads are in environment.routes.ts). Errors become the error envelope (gateway filter). */
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
