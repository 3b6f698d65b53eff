import { Module } from '@nestjs/common';
import { PageService } from '../views/page.service';
import { StressLiveService } from './live/stress-live.service';
import { StressPageStreamController } from './live/stress-page-stream.controller';
import { StressSectionsService } from './live/stress-sections.service';
import { StressStreamController } from './live/stress-stream.controller';
import { StressCommandsService } from './stress-commands.service';
import { StressViewService } from './stress-view.service';
import { StressApiController } from './stress.controller';
import { StressPageController } from './stress.page.controller';

/**
 * Stress area: the /stress page and its form posts, its live sections (`/stress/live`: HTML
 * fragments), the JSON API under `/api/v1/stress…`, and the JSON stream (`/api/v1/stream/stress`),
 * both fed by the heartbeat aggregator.
 */
@Module({
  controllers: [StressPageController, StressApiController, StressStreamController, StressPageStreamController],
  providers: [PageService, StressLiveService, StressCommandsService, StressViewService, StressSectionsService],
  // The reports area reads the same heartbeats and view (one aggregator per gateway).
  exports: [StressLiveService, StressViewService],
})
export class StressModule {}
