import { Module } from '@nestjs/common';
import { PageService } from '../views/page.service';
import { StressLiveService } from './live/stress-live.service';
import { StressStreamController } from './live/stress-stream.controller';
import { StressCommandsService } from './stress-commands.service';
import { StressViewService } from './stress-view.service';
import { StressApiController } from './stress.controller';
import { StressPageController } from './stress.page.controller';

/**
 * Stress area: the /stress page and its form posts, the JSON API under `/api/v1/stress…`, and the
 * live stream (`/api/v1/stream/stress`) fed by the heartbeat aggregator.
 */
@Module({
  controllers: [StressPageController, StressApiController, StressStreamController],
  providers: [PageService, StressLiveService, StressCommandsService, StressViewService],
})
export class StressModule {}
