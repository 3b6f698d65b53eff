import { Module } from '@nestjs/common';
import { PageService } from '../page.service';
import { comingSoonController } from '../shared/coming-soon';

/** Storage pages: /storage, /ebs, /efs, /s3. */
@Module({
  controllers: [
    comingSoonController({
      '/storage': 'storage overview (mounts, EBS, EFS and S3 configuration)',
      '/ebs': 'EBS demo (per-pod volume, entries, access log, restarts)',
      '/efs': 'EFS demo (files shared by every storage pod)',
      '/s3': 'S3 demo (objects via IRSA, statistics reports)',
    }),
  ],
  providers: [PageService],
})
export class StoragePagesModule {}
