import { Module } from '@nestjs/common';

/** The stress service: CPU and memory load in worker threads (handlers arrive with the stress slice). */
@Module({})
export class StressModule {}
