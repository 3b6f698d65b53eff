import { Controller, Get, Header, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { HISTORY_HOURS, HistoryReportQuery, ScalingErrors, StressErrors, StressReportQuery } from '@eks-info/contracts';
import { parseInput } from '../http/contract-input';
import { ViewRenderer } from '../views/view-renderer';
import { type ScalingReport, reportFileName } from './report.model';
import { reportViewModel } from './report.presenter';
import { ReportsService } from './reports.service';

/**
 * "Export" on /stress and /scaling/history: a self-contained HTML file to keep, and its JSON twin
 * (the same document). Both are downloads: the HTML carries its own styles, so it is never served
 * as a page of this site.
 */
@Controller()
export class ReportsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly views: ViewRenderer,
  ) {}

  @Get('stress/report')
  async stressHtml(@Query() query: Record<string, unknown>, @Res() reply: FastifyReply) {
    const { test } = parseInput(StressReportQuery, query, StressErrors.INVALID);
    return this.sendHtml(reply, await this.reports.stress(test));
  }

  @Get('api/v1/stress/report')
  @Header('cache-control', 'no-store')
  async stressJson(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) reply: FastifyReply) {
    const { test, download } = parseInput(StressReportQuery, query, StressErrors.INVALID);
    return this.json(reply, await this.reports.stress(test), Boolean(download));
  }

  @Get('scaling/history/report')
  async historyHtml(@Query() query: Record<string, unknown>, @Res() reply: FastifyReply) {
    const { hours } = parseInput(HistoryReportQuery, query, ScalingErrors.INVALID_QUERY);
    return this.sendHtml(reply, await this.reports.history(hours ?? HISTORY_HOURS.default));
  }

  @Get('api/v1/scaling/history/report')
  @Header('cache-control', 'no-store')
  async historyJson(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) reply: FastifyReply) {
    const { hours, download } = parseInput(HistoryReportQuery, query, ScalingErrors.INVALID_QUERY);
    return this.json(reply, await this.reports.history(hours ?? HISTORY_HOURS.default), Boolean(download));
  }

  private sendHtml(reply: FastifyReply, report: ScalingReport) {
    const html = this.views.render('reports/views/report', reportViewModel(report));
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-disposition', `attachment; filename="${reportFileName(report, 'html')}"`)
      .header('cache-control', 'no-store')
      .send(html);
  }

  private json(reply: FastifyReply, report: ScalingReport, download: boolean): ScalingReport {
    if (download) reply.header('content-disposition', `attachment; filename="${reportFileName(report, 'json')}"`);
    return report;
  }
}
