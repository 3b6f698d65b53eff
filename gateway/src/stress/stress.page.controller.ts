import { Body, Controller, Get, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import '@fastify/view'; // reply.view()
import { CommonErrors, type ErrorBody, type StressView, StressRules } from '@eks-info/contracts';
import { RpcError } from '@eks-info/platform';
import { type CommandBody, StressCommandsService } from './stress-commands.service';
import { StressViewService } from './stress-view.service';
import { StressSectionsService } from './live/stress-sections.service';
import { PageService } from '../views/page.service';

type FormValues = Record<string, string>;

interface Flash {
  ok: boolean;
  message: string;
  fix?: string;
  details?: string;
  code?: string;
}

/** What the forms show before anyone has typed: a short, visible test. */
const DEFAULT_FORMS: Record<'cpu' | 'memory' | 'load', FormValues> = {
  cpu: { durationSeconds: '60', intensity: '80', workers: '', target: 'one' },
  memory: { durationSeconds: '60', targetMb: '128', target: 'one' },
  load: { millicores: '1000', durationSeconds: '120' },
};

function statusOf(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof RpcError) return { status: err.status, body: err.body };
  return { status: 500, body: { code: CommonErrors.INTERNAL.code, message: 'The request failed unexpectedly.' } };
}

function formValues(body: unknown): FormValues {
  const out: FormValues = {};
  if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) if (k !== '_csrf' && typeof v === 'string') out[k] = v.slice(0, 64);
  }
  return out;
}

/** Form fields as the API takes them (empty optional fields left out). */
function commandBody(values: FormValues): CommandBody {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== ''));
}

/**
 * `/stress`: forms for CPU, memory and sustained-load tests, and the live sections (pods, charts,
 * the stress HPA with the replicas it should want, tests with stop buttons, the timeline) shared
 * with the live stream `/stress/live`. The forms post here without JavaScript (CSRF token, 303
 * back to the page, errors re-rendered with their status); with JavaScript, stress.js sends the
 * same values to the JSON API in place.
 */
@Controller()
export class StressPageController {
  constructor(
    private readonly pages: PageService,
    private readonly views: StressViewService,
    private readonly commands: StressCommandsService,
    private readonly live: StressSectionsService,
  ) {}

  @Get('/stress')
  @Render('stress/views/stress')
  async page(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Query() query: Record<string, string | undefined>) {
    const flash = flashFrom(query);
    return this.model(request, reply, await this.views.view(), flash);
  }

  @Post('/stress/cpu')
  cpu(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Body() body: unknown) {
    const values = formValues(body);
    return this.submit(request, reply, 'cpu', values, async () => {
      const r = await this.commands.start('cpu', commandBody(values));
      return `started=${r.testId}&pods=${r.accepted.length}`;
    });
  }

  @Post('/stress/memory')
  memory(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Body() body: unknown) {
    const values = formValues(body);
    return this.submit(request, reply, 'memory', values, async () => {
      const r = await this.commands.start('memory', commandBody(values));
      return `started=${r.testId}&pods=${r.accepted.length}`;
    });
  }

  @Post('/stress/load')
  load(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Body() body: unknown) {
    const values = formValues(body);
    return this.submit(request, reply, 'load', values, async () => {
      const r = await this.commands.startLoad(commandBody(values));
      return `started=${r.load.id}&pods=1`;
    });
  }

  @Post('/stress/tests/:id/stop')
  stop(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('id') id: string) {
    return this.submit(request, reply, null, {}, async () => {
      const r = await this.commands.stop(id);
      return `stopped=${r.id}&pods=${r.stopped.length}`;
    });
  }

  /** Post/redirect/get on success; on a refusal the page again, with the message, the values and the status. */
  private async submit(
    request: FastifyRequest,
    reply: FastifyReply,
    form: keyof typeof DEFAULT_FORMS | null,
    values: FormValues,
    action: () => Promise<string>,
  ): Promise<void> {
    try {
      const query = await action();
      await reply.redirect(`/stress?${query}`, 303);
    } catch (err) {
      const { status, body } = statusOf(err);
      const model = this.model(request, reply, await this.views.view(), { ok: false, ...body }, form ? { [form]: values } : {});
      await reply.code(status).type('text/html; charset=utf-8').view('stress/views/stress', model);
    }
  }

  private model(
    request: FastifyRequest,
    reply: FastifyReply,
    view: StressView,
    flash: Flash | null,
    forms: Partial<Record<keyof typeof DEFAULT_FORMS, FormValues>> = {},
  ) {
    const ranges = StressRules.ranges;
    const bounds = view.bounds;
    const live = this.live.forPage(view);
    return {
      layout: this.pages.layout(
        request,
        reply,
        { title: 'Stress', active: 'stress', forms: true, live: `/stress/live?v=${live.version}` },
        view.servedBy ? [{ ok: true, data: { servedBy: view.servedBy } }] : [],
      ),
      live,
      flash,
      forms: {
        cpu: { ...DEFAULT_FORMS.cpu, ...forms.cpu },
        memory: { ...DEFAULT_FORMS.memory, ...forms.memory },
        load: { ...DEFAULT_FORMS.load, ...forms.load },
      },
      limits: {
        minDuration: ranges.durationSeconds.min,
        maxDuration: bounds?.maxDurationSeconds ?? ranges.durationSeconds.max,
        maxWorkers: bounds?.maxWorkers ?? ranges.workers.max,
        maxLoad: bounds?.maxLoadMillicores ?? ranges.millicores.max,
        minLoad: ranges.millicores.min,
        headroom: bounds?.memoryHeadroomPercent ?? null,
        unitMs: bounds?.workUnitMs ?? null,
      },
    };
  }
}

function flashFrom(query: Record<string, string | undefined>): Flash | null {
  const id = query.started ?? query.stopped;
  if (!id || !StressRules.idPattern.test(id)) return null;
  const pods = Number(query.pods);
  const where = Number.isInteger(pods) && pods > 0 ? ` on ${pods} pod${pods === 1 ? '' : 's'}` : '';
  return query.started ? { ok: true, message: `Started ${id}${where}.` } : { ok: true, message: `Stopped ${id}${where}.` };
}
