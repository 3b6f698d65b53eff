import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { type AccessStatsRequest, StorageRpc } from '@eks-info/contracts';
import { OnRequest } from '@eks-info/platform';
import { ReportService } from './report.service';

@Controller()
export class ReportsMessageController {
  constructor(private readonly reports: ReportService) {}

  @OnRequest(StorageRpc.reportNow)
  now() {
    return this.reports.reportNow();
  }

  /** Broadcast: every pod answers with its own share of the window. */
  @OnRequest(StorageRpc.reportPartial)
  partial(@Payload() request: AccessStatsRequest | null) {
    return this.reports.partial(request?.start, request?.end);
  }
}
