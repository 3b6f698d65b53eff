import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { StorageRpc } from '@eks-info/contracts';
import { PageService } from '../views/page.service';
import { notice, redirectTo, renderPage } from './storage-page.helpers';

/** `/efs`: files every storage pod wrote to the shared volume; write, view and delete. */
@Controller()
export class EfsPageController {
  constructor(private readonly pages: PageService) {}

  @Get('/efs')
  async page(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Query('done') done?: string) {
    return this.render(request, reply, { notice: notice(done) });
  }

  @Post('/efs/files')
  async write(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Body() body: { content?: unknown } | undefined) {
    const out = await this.pages.call(StorageRpc.efsWrite, body);
    if (out.ok) return redirectTo(reply, `/efs?done=file-written#${out.data.file.filename}`);
    return this.render(request, reply, { formError: out.error, draft: typeof body?.content === 'string' ? body.content.slice(0, 2000) : '' }, out.error.status);
  }

  /** One file's content, shown as text (escaped), with who wrote it and which pod read it. */
  @Get('/efs/files/:name')
  async file(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('name') name: string) {
    const file = await this.pages.call(StorageRpc.efsRead, { name });
    const layout = this.pages.layout(request, reply, { title: 'EFS file', active: 'efs', forms: true }, [file]);
    return renderPage(reply, 'storage/views/efs-file', { layout, file, name }, file.ok ? 200 : file.error.status);
  }

  @Post('/efs/files/:name/delete')
  async delete(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('name') name: string) {
    const out = await this.pages.call(StorageRpc.efsDelete, { name });
    if (out.ok) return redirectTo(reply, '/efs?done=file-deleted');
    return this.render(request, reply, { formError: out.error }, out.error.status);
  }

  private async render(request: FastifyRequest, reply: FastifyReply, extra: object, status = 200) {
    const view = await this.pages.call(StorageRpc.efs, {});
    const layout = this.pages.layout(request, reply, { title: 'EFS', active: 'efs', forms: true }, [view]);
    return renderPage(reply, 'storage/views/efs', { layout, view, ...extra }, status);
  }
}
