import { Controller, Get, Header, HttpCode, Post } from '@nestjs/common';
import { EnvironmentRpc } from '@eks-info/contracts';
import { MessageBus } from '@eks-info/platform';
import { JSON_CONTENT_TYPE, jsonBody } from '../http/json-body';

/** JSON twins of the environment pages. Errors become the error envelope (gateway filter). */
@Controller('api/v1')
export class EnvironmentApiController {
  constructor(private readonly bus: MessageBus) {}

  @Get('environment')
  @Header('content-type', JSON_CONTENT_TYPE)
  async overview() {
    return jsonBody(await this.bus.request(EnvironmentRpc.overview, {}));
  }

  /** This node's spot interruption notice and rebalance recommendation (at most a few seconds old). */
  @Get('environment/interruption')
  @Header('content-type', JSON_CONTENT_TYPE)
  async interruption() {
    return jsonBody(await this.bus.request(EnvironmentRpc.interruption, {}));
  }

  @Get('resources')
  @Header('content-type', JSON_CONTENT_TYPE)
  async resources() {
    return jsonBody(await this.bus.request(EnvironmentRpc.resources, {}));
  }

  @Get('network')
  @Header('content-type', JSON_CONTENT_TYPE)
  async network() {
    return jsonBody(await this.bus.request(EnvironmentRpc.network, {}));
  }

  /** Drops the cached AWS answers; the next GET fetches fresh ones. */
  @Post('network/refresh')
  @HttpCode(200)
  refreshNetwork() {
    return this.bus.request(EnvironmentRpc.refreshNetwork, {});
  }
}
