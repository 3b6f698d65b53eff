import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorBody, StorageRpc } from '@eks-info/contracts';
import { MessageBus } from '@eks-info/platform';
import { PageService } from '../views/page.service';
import { notice, redirectTo, renderPage } from './storage-page.helpers';

/** `/ebs`: this pod's volume, its entries, access log and start-up records; forms to write and clean up. */
@Controller()
export class EbsPageController {
  constructor(
    private readonly pages: PageService,
    private readonly bus: MessageBus,
  ) {}

  @Get('/ebs')
  async page(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Query('done') done?: string) {
    return this.render(request, reply, { notice: notice(done) });
  }

  @Post('/ebs/entries')
  async write(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Body() body: { content?: unknown } | undefined) {
    const out = await this.pages.call(StorageRpc.ebsWrite, body);
    if (out.ok) return redirectTo(reply, '/ebs?done=entry-written');
    return this.render(request, reply, { formError: out.error, draft: typeof body?.content === 'string' ? body.content.slice(0, 2000) : '' }, out.error.status);
  }

  /** Every storage pod deletes its own rotated access logs older than the retention. */
  @Post('/ebs/cleanup')
  async cleanup(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const pods = await this.bus.gather(StorageRpc.ebsCleanup, {}, { windowMs: 2_000 }).catch(() => []);
    if (pods.length) return redirectTo(reply, '/ebs?done=cleanup');
    const error: ErrorBody & { status: number } = {
      code: 'TRANSPORT.UNAVAILABLE',
      message: 'No storage pod answered the cleanup.',
      fix: 'Check that the storage service is running.',
      status: 503,
    };
    return this.render(request, reply, { formError: error }, 503);
  }

  private async render(request: FastifyRequest, reply: FastifyReply, extra: object, status = 200) {
    const view = await this.pages.call(StorageRpc.ebs, {});
    const layout = this.pages.layout(request, reply, { title: 'EBS', active: 'ebs', forms: true }, [view]);
    return renderPage(reply, 'storage/views/ebs', { layout, view, ...extra }, status);
  }
}
