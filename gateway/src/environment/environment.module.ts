import { Module } from '@nestjs/common';
import { PageService } from '../views/page.service';
import { EnvironmentApiController } from './environment.controller';
import { HomeSectionsService } from './live/home-sections.service';
import { HomePageStreamController } from './live/home-page-stream.controller';
import { NetworkPageController } from './network.page.controller';

/** Environment area: the home, /resources and /network pages and their JSON twins (the reads that are one bus call: environment.routes.ts). */
@Module({
  controllers: [HomePageStreamController, NetworkPageController, EnvironmentApiController],
  providers: [PageService, HomeSectionsService],
})
export class EnvironmentModule {}
