import { Module } from '@nestjs/common';
import { PageService } from '../views/page.service';
import { ScalingStreamController } from './live/scaling-stream.controller';
import { ScalingStreamHub } from './live/scaling-stream.hub';
import { ScalingHistoryPageController } from './scaling-history.page.controller';
import { ScalingApiController } from './scaling.controller';
import { ScalingPageController } from './scaling.page.controller';

/** Scaling area: /scaling (live), /scaling/history, the JSON API and the live stream (`/api/v1/stream/scaling`). */
@Module({
  controllers: [ScalingPageController, ScalingHistoryPageController, ScalingApiController, ScalingStreamController],
  providers: [PageService, ScalingStreamHub],
})
export class ScalingModule {}
