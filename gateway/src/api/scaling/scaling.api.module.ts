import { Module } from '@nestjs/common';
import { ScalingStreamController } from './scaling-stream.controller';
import { ScalingStreamHub } from './scaling-stream.hub';
import { ScalingApiController } from './scaling.controller';

/** JSON API of the scaling area (`/api/v1/scaling…`) and its live stream (`/api/v1/stream/scaling`). */
@Module({ controllers: [ScalingApiController, ScalingStreamController], providers: [ScalingStreamHub] })
export class ScalingApiModule {}
