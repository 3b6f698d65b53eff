import { Module } from '@nestjs/common';
import { PageService } from '../page.service';
import { ScalingHistoryPageController } from './scaling-history.page.controller';
import { ScalingPageController } from './scaling.page.controller';

/** Scaling pages: /scaling (live) and /scaling/history. */
@Module({ controllers: [ScalingPageController, ScalingHistoryPageController], providers: [PageService] })
export class ScalingPagesModule {}
