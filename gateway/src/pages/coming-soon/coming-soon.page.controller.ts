import { Controller, Get, Render, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { NAVIGATION } from '../navigation';
import { PageService } from '../page.service';

/**
 * Pages whose slice is not built yet. They say so plainly instead of showing made-up data; each
 * slice removes its ids from this list when it adds its real page.
 */
export const COMING: Record<string, string> = {
  storage: 'storage overview (mounts, EBS, EFS and S3 configuration)',
  ebs: 'EBS demo (per-pod volume, entries, access log, restarts)',
  efs: 'EFS demo (files shared by every storage pod)',
  s3: 'S3 demo (objects via IRSA, statistics reports)',
  stress: 'stress tests (CPU and memory load on the stress pods, live per-pod view)',
  scaling: 'scaling monitor (nodes, pods per node, Pending pods, HPA maths, live)',
  history: 'scaling history (24 h charts, events, response times)',
};

@Controller()
export class ComingSoonPageController {
  constructor(private readonly pages: PageService) {}

  @Get(['/storage', '/ebs', '/efs', '/s3', '/stress', '/scaling', '/scaling/history'])
  @Render('pages/coming-soon')
  coming(@Req() request: FastifyRequest) {
    const path = request.url.split('?')[0];
    const item = NAVIGATION.find((n) => n.href === path)!;
    return { layout: this.pages.layout(request, undefined, { title: item.label, active: item.id }), what: COMING[item.id] };
  }
}

