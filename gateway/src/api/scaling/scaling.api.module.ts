import { Module } from '@nestjs/common';

/** JSON API of the scaling area (`/api/v1/scaling…`). */
@Module({ controllers: [] })
export class ScalingApiModule {}
