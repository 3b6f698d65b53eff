import { Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EnvironmentRpc } from '@eks-info/contracts';
import { PageService } from '../views/page.service';

/** `/`: where this runs — pod, cluster, node, EC2, architecture, network, environment variables. */
@Controller()
export class HomePageController {
  constructor(private readonly pages: PageService) {}

  @Get('/')
  async home(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const env = await this.pages.call(EnvironmentRpc.overview, {});
    return this.pages.sendPage(request, reply, { title: 'Environment', active: 'home', template: 'environment/views/home' }, env, { env });
  }
}
