import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  AccessEvents,
  type AccessBatch,
  type AccessRecord,
  type EbsCleanupRequest,
  type EbsViewRequest,
  type EbsWriteRequest,
  StorageRpc,
} from '@eks-info/contracts';
import { OnEvent, OnRequest } from '@eks-info/platform';
import { EbsService } from './ebs.service';

@Controller()
export class EbsMessageController {
  constructor(private readonly ebs: EbsService) {}

  @OnRequest(StorageRpc.ebs)
  view(@Payload() request: EbsViewRequest | null) {
    return this.ebs.view(request?.limit);
  }

  @OnRequest(StorageRpc.ebsWrite)
  write(@Payload() request: EbsWriteRequest) {
    return this.ebs.write(request);
  }

  @OnRequest(StorageRpc.ebsCleanup)
  cleanup(@Payload() request: EbsCleanupRequest | null) {
    return this.ebs.cleanup(request?.olderThanDays);
  }

  /** The page and API requests a gateway served in the last ≤ 100 ms; one storage pod appends each batch. */
  @OnEvent(AccessEvents.batch)
  accessedBatch(@Payload() batch: AccessBatch) {
    for (const record of batch.records) this.ebs.record(record);
  }

  /** One request per message, as gateways before batching sent them. */
  @OnEvent(AccessEvents.recorded)
  accessed(@Payload() record: AccessRecord) {
    this.ebs.record(record);
  }
}
