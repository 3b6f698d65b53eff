import { Module } from '@nestjs/common';
import { StressModule } from '../stress/stress.module';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

/**
 * Reports area: "Export" of a stress test or of the scaling history as a self-contained HTML file
 * and its JSON twin, built from the stress pods' heartbeats and the scaling monitor's history.
 */
@Module({
  imports: [StressModule],
  controllers: [ReportsController],
  providers: [ReportsService],
})
export class ReportsModule {}
