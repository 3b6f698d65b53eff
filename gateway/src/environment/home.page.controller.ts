import { Controller, Get, Render, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { EnvironmentRpc } from '@eks-info/contracts';
import { PageService } from '../views/page.service';

/** `/`: where this runs — pod, cluster, node, EC2, architecture, network, environment variables. */
@Controller()
export class HomePageController {
  constructor(private readonly pages: PageService) {}

  @Get('/')
  @Render('views/prerendered')
  async home(@Req() request: FastifyRequest) {
    const env = await this.pages.call(EnvironmentRpc.overview, {});
    return {
      layout: this.pages.layout(request, undefined, { title: 'Environment', active: 'home' }, [env]),
      html: this.pages.body('environment/views/home', env, { env }),
    };
  }
}
