import { Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EnvironmentRpc } from '@eks-info/contracts';
import { PageService } from '../views/page.service';

/** `/resources`: pods, services, workloads, node usage, volumes and warnings from the informer caches. */
@Controller()
export class ResourcesPageController {
  constructor(private readonly pages: PageService) {}

  @Get('/resources')
  async resources(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const view = await this.pages.call(EnvironmentRpc.resources, {});
    return this.pages.sendPage(request, reply, { title: 'Resources', active: 'resources', template: 'environment/views/resources' }, view, { view });
  }
}
