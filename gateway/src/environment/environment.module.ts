import { Module } from '@nestjs/common';
import { PageService } from '../views/page.service';
import { EnvironmentApiController } from './environment.controller';
import { HomePageController } from './home.page.controller';
import { HomeSectionsService } from './live/home-sections.service';
import { HomePageStreamController } from './live/home-page-stream.controller';
import { NetworkPageController } from './network.page.controller';
import { ResourcesPageController } from './resources.page.controller';

/** Environment area: the home, /resources and /network pages and their JSON twins. */
@Module({
  controllers: [HomePageController, HomePageStreamController, ResourcesPageController, NetworkPageController, EnvironmentApiController],
  providers: [PageService, HomeSectionsService],
})
export class EnvironmentModule {}
