import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { EnvironmentRpc } from '@eks-info/contracts';
import { MessageBus } from '@eks-info/platform';

/** JSON twins of the environment pages. Errors become the error envelope (gateway filter). */
@Controller('api/v1')
export class EnvironmentApiController {
  constructor(private readonly bus: MessageBus) {}

  @Get('environment')
  overview() {
    return this.bus.request(EnvironmentRpc.overview, {});
  }

  @Get('resources')
  resources() {
    return this.bus.request(EnvironmentRpc.resources, {});
  }

  @Get('network')
  network() {
    return this.bus.request(EnvironmentRpc.network, {});
  }

  /** Drops the cached AWS answers; the next GET fetches fresh ones. */
  @Post('network/refresh')
  @HttpCode(200)
  refreshNetwork() {
    return this.bus.request(EnvironmentRpc.refreshNetwork, {});
  }
}
