import { Module } from '@nestjs/common';
import { PageService } from '../page.service';
import { ComingSoonPageController } from './coming-soon.page.controller';

@Module({ controllers: [ComingSoonPageController], providers: [PageService] })
export class ComingSoonModule {}
