import { Controller, Get, Render, Req, type Type } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { NAVIGATION } from '../navigation';
import { PageService } from '../page.service';

/**
 * A controller for pages whose slice is not built yet: they say so plainly instead of showing
 * made-up data. An area module lists its pages here until it adds the real controllers.
 */
export function comingSoonController(pages: Record<string, string>): Type {
  const paths = Object.keys(pages);

  @Controller()
  class ComingSoonPageController {
    constructor(private readonly pages: PageService) {}

    @Get(paths)
    @Render('pages/coming-soon')
    coming(@Req() request: FastifyRequest) {
      const path = request.url.split('?')[0];
      const item = NAVIGATION.find((n) => n.href === path)!;
      return { layout: this.pages.layout(request, undefined, { title: item.label, active: item.id }), what: pages[path] };
    }
  }
  return ComingSoonPageController;
}
