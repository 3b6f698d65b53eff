import { Module } from '@nestjs/common';
import { PageService } from '../page.service';
import { comingSoonController } from '../shared/coming-soon';

/** Scaling pages: /scaling, /scaling/history. */
@Module({
  controllers: [
    comingSoonController({
      '/scaling': 'scaling monitor (nodes, pods per node, Pending pods, HPA maths, live)',
      '/scaling/history': 'scaling history (24 h charts, events, response times)',
    }),
  ],
  providers: [PageService],
})
export class ScalingPagesModule {}
