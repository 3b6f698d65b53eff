import { Module } from '@nestjs/common';
import { StorageApiController } from './storage.controller';

/** JSON API of the storage area (`/api/v1/storage…`); uploads are parsed by the gateway (gateway.app.ts). */
@Module({ controllers: [StorageApiController] })
export class StorageApiModule {}
