import { Module } from '@nestjs/common';
import { PageService } from '../views/page.service';
import { HistorySectionsService } from './live/history-sections.service';
import { ScalingPageStreamController } from './live/scaling-page-stream.controller';
import { ScalingSectionsService } from './live/scaling-sections.service';
import { ScalingStreamController } from './live/scaling-stream.controller';
import { ScalingStreamHub } from './live/scaling-stream.hub';
import { ScalingHistoryPageController } from './scaling-history.page.controller';
import { ScalingApiController } from './scaling.controller';
import { ScalingPageController } from './scaling.page.controller';

/**
 * Scaling area: /scaling and /scaling/history with their live sections (`/scaling/live`,
 * `/scaling/history/live`: HTML fragments), the JSON API and the JSON stream (`/api/v1/stream/scaling`).
 */
@Module({
  controllers: [ScalingPageController, ScalingHistoryPageController, ScalingApiController, ScalingStreamController, ScalingPageStreamController],
  providers: [PageService, ScalingStreamHub, ScalingSectionsService, HistorySectionsService],
})
export class ScalingModule {}
