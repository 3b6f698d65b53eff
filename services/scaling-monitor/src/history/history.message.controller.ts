import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { ScalingRpc, type ScalingEventsQuery, type ScalingHistoryQuery } from '@eks-info/contracts';
import { OnRequest } from '@eks-info/platform';
import { HistoryService } from './history.service';

@Controller()
export class HistoryMessageController {
  constructor(private readonly history: HistoryService) {}

  @OnRequest(ScalingRpc.history)
  get(@Payload() query: ScalingHistoryQuery) {
    return this.history.history(query);
  }

  @OnRequest(ScalingRpc.events)
  events(@Payload() query: ScalingEventsQuery) {
    return this.history.events(query);
  }
}
