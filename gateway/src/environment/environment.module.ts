import { Module } from '@nestjs/common';
import { PageService } from '../views/page.service';
import { EnvironmentApiController } from './environment.controller';
import { HomePageController } from './home.page.controller';
import { NetworkPageController } from './network.page.controller';
import { ResourcesPageController } from './resources.page.controller';

/** Environment area: the home, /resources and /network pages and their JSON twins. */
@Module({
  controllers: [HomePageController, ResourcesPageController, NetworkPageController, EnvironmentApiController],
  providers: [PageService],
})
export class EnvironmentModule {}
