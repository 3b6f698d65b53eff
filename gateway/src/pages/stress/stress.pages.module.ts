import { Module } from '@nestjs/common';
import { PageService } from '../page.service';
import { comingSoonController } from '../shared/coming-soon';

/** Stress pages: /stress. */
@Module({
  controllers: [comingSoonController({ '/stress': 'stress tests (CPU and memory load on the stress pods, live per-pod view)' })],
  providers: [PageService],
})
export class StressPagesModule {}
