import { Module } from '@nestjs/common';

/** The storage service: per-pod EBS, shared EFS and S3 demos (handlers arrive with the storage slice). */
@Module({})
export class StorageModule {}
