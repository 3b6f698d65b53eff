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
    // The interruption card is live: /environment/live pushes it again while the page is open.
    const page = { title: 'Environment', active: 'home', template: 'environment/views/home', live: '/environment/live' };
    return this.pages.sendPage(request, reply, page, env, { env });
  }
}
