import { Controller, Get, Post, Redirect, Render, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EnvironmentRpc } from '@eks-info/contracts';
import { PageService } from '../views/page.service';

/** `/network`: the cluster's VPC from AWS describe calls (cached 5 minutes), with a refresh form. */
@Controller()
export class NetworkPageController {
  constructor(private readonly pages: PageService) {}

  @Get('/network')
  @Render('environment/views/network')
  async network(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const view = await this.pages.call(EnvironmentRpc.network, {});
    return { layout: this.pages.layout(request, reply, { title: 'Network', active: 'network', forms: true }, [view]), view };
  }

  /** The form behind "Refresh from AWS": drops the cache, then shows the page again (PRG). */
  @Post('/network/refresh')
  @Redirect('/network', 303)
  async refresh() {
    await this.pages.call(EnvironmentRpc.refreshNetwork, {});
  }
}
