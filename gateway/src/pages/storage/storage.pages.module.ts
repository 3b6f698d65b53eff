import { Module } from '@nestjs/common';
import { PageService } from '../page.service';
import { EbsPageController } from './ebs.page.controller';
import { EfsPageController } from './efs.page.controller';
import { S3PageController } from './s3.page.controller';
import { StoragePageController } from './storage.page.controller';

/** Storage pages: /storage, /ebs, /efs, /s3. */
@Module({
  controllers: [StoragePageController, EbsPageController, EfsPageController, S3PageController],
  providers: [PageService],
})
export class StoragePagesModule {}
