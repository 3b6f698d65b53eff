import { Module } from '@nestjs/common';
import { PageService } from '../page.service';
import { HomePageController } from './home.page.controller';
import { NetworkPageController } from './network.page.controller';
import { ResourcesPageController } from './resources.page.controller';

@Module({ controllers: [HomePageController, ResourcesPageController, NetworkPageController], providers: [PageService] })
export class EnvironmentPagesModule {}
