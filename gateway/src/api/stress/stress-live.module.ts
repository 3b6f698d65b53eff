import { Module } from '@nestjs/common';
import { StressCommandsService } from './stress-commands.service';
import { StressLiveService } from './stress-live.service';
import { StressViewService } from './stress-view.service';

/** The heartbeat aggregator and the command/view services, shared by the stress API and page. */
@Module({ providers: [StressLiveService, StressCommandsService, StressViewService], exports: [StressLiveService, StressCommandsService, StressViewService] })
export class StressLiveModule {}
