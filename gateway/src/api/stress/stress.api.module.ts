import { Module } from '@nestjs/common';
import { StressLiveModule } from './stress-live.module';
import { StressStreamController } from './stress-stream.controller';
import { StressApiController } from './stress.controller';

/** JSON API of the stress area (`/api/v1/stress…`) and its live stream (`/api/v1/stream/stress`). */
@Module({ imports: [StressLiveModule], controllers: [StressApiController, StressStreamController] })
export class StressApiModule {}
