import { Module } from '@nestjs/common';

/** The scaling-monitor service: the single collector of scaling state and history (handlers arrive with the scaling slice). */
@Module({})
export class ScalingMonitorModule {}
