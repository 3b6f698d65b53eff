import { Module } from '@nestjs/common';
import { EnvironmentModule } from './environment/environment.module';
import { ReportsModule } from './reports/reports.module';
import { ScalingModule } from './scaling/scaling.module';
import { StorageModule } from './storage/storage.module';
import { StressModule } from './stress/stress.module';

/**
 * One feature module per area (`<area>/`): its pages, JSON API, live streams, views and browser
 * code side by side. Cross-cutting parts sit beside them: `http/`, `security/`, `views/` (layout,
 * partials, helpers) and `public/` (styles and the shared browser script).
 */
@Module({ imports: [EnvironmentModule, StorageModule, StressModule, ScalingModule, ReportsModule] })
export class GatewayModule {}
