import { Controller, Get, Render, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ScalingRpc } from '@eks-info/contracts';
import { PageService } from '../views/page.service';
import { ScalingSectionsService } from './live/scaling-sections.service';

/**
 * `/scaling`: nodes, Pending pods, HPAs with their maths and the node autoscaler. The sections
 * come from the rendering shared with the live stream (`/scaling/live`): a view renders nothing
 * of them unless its snapshot is newer than what this gateway rendered last.
 */
@Controller()
export class ScalingPageController {
  constructor(
    private readonly pages: PageService,
    private readonly live: ScalingSectionsService,
  ) {}

  @Get('/scaling')
  @Render('scaling/views/scaling')
  async scaling(@Req() request: FastifyRequest) {
    const snap = await this.pages.call(ScalingRpc.snapshot, {});
    const live = snap.ok ? this.live.forPage(snap.data) : undefined;
    return {
      layout: this.pages.layout(request, undefined, { title: 'Scaling', active: 'scaling', live: live && `/scaling/live?v=${live.version}` }, [snap]),
      snap,
      live,
    };
  }
}
