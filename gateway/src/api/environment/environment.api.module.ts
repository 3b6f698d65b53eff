import { Module } from '@nestjs/common';
import { EnvironmentApiController } from './environment.controller';

@Module({ controllers: [EnvironmentApiController] })
export class EnvironmentApiModule {}
