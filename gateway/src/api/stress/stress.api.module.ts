import { Module } from '@nestjs/common';

/** JSON API of the stress area (`/api/v1/stress…`). */
@Module({ controllers: [] })
export class StressApiModule {}
