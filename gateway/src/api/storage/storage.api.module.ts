import { Module } from '@nestjs/common';

/** JSON API of the storage area (`/api/v1/storage…`). */
@Module({ controllers: [] })
export class StorageApiModule {}
