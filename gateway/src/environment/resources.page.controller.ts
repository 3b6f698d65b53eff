import { Controller, Get, Render, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { EnvironmentRpc } from '@eks-info/contracts';
import { PageService } from '../views/page.service';

/** `/resources`: pods, services, workloads, node usage, volumes and warnings from the informer caches. */
@Controller()
export class ResourcesPageController {
  constructor(private readonly pages: PageService) {}

  @Get('/resources')
  @Render('views/prerendered')
  async resources(@Req() request: FastifyRequest) {
    const view = await this.pages.call(EnvironmentRpc.resources, {});
    return {
      layout: this.pages.layout(request, undefined, { title: 'Resources', active: 'resources' }, [view]),
      html: this.pages.body('environment/views/resources', view, { view }),
    };
  }
}
