import { Module } from '@nestjs/common';
import { StressLiveModule } from '../../api/stress/stress-live.module';
import { PageService } from '../page.service';
import { StressPageController } from './stress.page.controller';

/** Stress pages: /stress and its form posts. */
@Module({ imports: [StressLiveModule], controllers: [StressPageController], providers: [PageService] })
export class StressPagesModule {}
