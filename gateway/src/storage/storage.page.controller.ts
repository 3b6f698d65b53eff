import { Controller, Get, Render, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { StorageRpc } from '@eks-info/contracts';
import { PageService } from '../views/page.service';

/** `/storage`: the answering pod's mounts and the EBS, EFS and S3 configuration, with links to the demos. */
@Controller()
export class StoragePageController {
  constructor(private readonly pages: PageService) {}

  @Get('/storage')
  @Render('storage/views/storage')
  async overview(@Req() request: FastifyRequest) {
    const view = await this.pages.call(StorageRpc.overview, {});
    return { layout: this.pages.layout(request, undefined, { title: 'Storage', active: 'storage' }, [view]), view };
  }
}
