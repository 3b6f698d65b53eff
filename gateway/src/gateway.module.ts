import { Module } from '@nestjs/common';
import { EnvironmentApiModule } from './api/environment/environment.api.module';
import { ComingSoonModule } from './pages/coming-soon/coming-soon.module';
import { EnvironmentPagesModule } from './pages/environment/environment.pages.module';

/** One module per area: its pages (pages/<area>) and its JSON API (api/<area>). */
@Module({
  imports: [EnvironmentPagesModule, EnvironmentApiModule, ComingSoonModule],
})
export class GatewayModule {}
