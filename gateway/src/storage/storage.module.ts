import { Module } from '@nestjs/common';
import { PageService } from '../views/page.service';
import { EbsPageController } from './ebs.page.controller';
import { EfsPageController } from './efs.page.controller';
import { S3PageController } from './s3.page.controller';
import { StoragePageController } from './storage.page.controller';
import { StorageApiController } from './storage.controller';

/**
 * Storage area: /storage, /ebs, /efs, /s3 and the JSON API under `/api/v1/storage…`.
 * Uploads are parsed by the gateway (gateway.app.ts) before they reach a controller.
 */
@Module({
  controllers: [StoragePageController, EbsPageController, EfsPageController, S3PageController, StorageApiController],
  providers: [PageService],
})
export class StorageModule {}
