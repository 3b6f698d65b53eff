import { Controller, Get, Render, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ScalingRpc } from '@eks-info/contracts';
import { PageService } from '../views/page.service';
import { eventRow } from './scaling.presenter';

/** `/scaling`: nodes, Pending pods, HPAs with their maths and the node autoscaler, live over SSE. */
@Controller()
export class ScalingPageController {
  constructor(private readonly pages: PageService) {}

  @Get('/scaling')
  @Render('scaling/views/scaling')
  async scaling(@Req() request: FastifyRequest) {
    const snap = await this.pages.call(ScalingRpc.snapshot, {});
    const nodeEventRows = snap.ok && snap.data.nodeEvents.status === 'ok' ? snap.data.nodeEvents.data.map(eventRow) : [];
    return { layout: this.pages.layout(request, undefined, { title: 'Scaling', active: 'scaling' }, [snap]), snap, nodeEventRows };
  }
}
