import { Module } from '@nestjs/common';
import { EnvironmentApiModule } from './api/environment/environment.api.module';
import { ScalingApiModule } from './api/scaling/scaling.api.module';
import { StorageApiModule } from './api/storage/storage.api.module';
import { StressApiModule } from './api/stress/stress.api.module';
import { EnvironmentPagesModule } from './pages/environment/environment.pages.module';
import { ScalingPagesModule } from './pages/scaling/scaling.pages.module';
import { StoragePagesModule } from './pages/storage/storage.pages.module';
import { StressPagesModule } from './pages/stress/stress.pages.module';

/** One pages module (pages/<area>) and one API module (api/<area>) per area. */
@Module({
  imports: [
    EnvironmentPagesModule,
    EnvironmentApiModule,
    StoragePagesModule,
    StorageApiModule,
    StressPagesModule,
    StressApiModule,
    ScalingPagesModule,
    ScalingApiModule,
  ],
})
export class GatewayModule {}
