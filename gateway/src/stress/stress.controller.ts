import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { StressErrors, StressStopRequest, type StressTestStatus } from '@eks-info/contracts';
import { RpcError } from '@eks-info/platform';
import { parseInput } from '../http/contract-input';
import { type CommandBody, StressCommandsService } from './stress-commands.service';
import { StressLiveService } from './live/stress-live.service';
import { StressViewService } from './stress-view.service';

/** A test seen through another gateway replica shows in its pod's heartbeat within about a second. */
const HEARTBEAT_WAIT_MS = 1_500;

const asBody = (b: unknown): CommandBody => (b && typeof b === 'object' && !Array.isArray(b) ? (b as CommandBody) : {});

/** JSON API of the stress area. Errors become the error envelope (gateway filter). */
@Controller('api/v1/stress')
export class StressApiController {
  constructor(
    private readonly commands: StressCommandsService,
    private readonly views: StressViewService,
    private readonly live: StressLiveService,
  ) {}

  /** Pods (live heartbeats), tests, loads, the stress HPA and what it should want at this load. */
  @Get()
  @Header('cache-control', 'no-store')
  view() {
    return this.views.view();
  }

  /** {durationSeconds, intensity, workers?, target: one|all, testId?} */
  @Post('cpu')
  @HttpCode(201)
  async cpu(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.commands.start('cpu', asBody(body));
    reply.header('location', `/api/v1/stress/tests/${result.testId}`);
    return result;
  }

  /** {durationSeconds, targetMb, target: one|all, testId?} */
  @Post('memory')
  @HttpCode(201)
  async memory(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.commands.start('memory', asBody(body));
    reply.header('location', `/api/v1/stress/tests/${result.testId}`);
    return result;
  }

  /** {millicores, durationSeconds, loadId?}: aggregate CPU spread over the stress pods. */
  @Post('load')
  @HttpCode(201)
  async load(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.commands.startLoad(asBody(body));
    reply.header('location', `/api/v1/stress/tests/${result.load.id}`);
    return result;
  }

  /** Where a test or load runs now, or how it ended, from the heartbeats. */
  @Get('tests/:id')
  @Header('cache-control', 'no-store')
  async test(@Param('id') id: string) {
    const { id: testId } = parseInput(StressStopRequest, { id }, StressErrors.INVALID);
    const fromHeartbeats = () => {
      const pods = this.live.list();
      const running = pods.flatMap((p) => (p.heartbeat.test?.id === testId ? [p.heartbeat.test] : []));
      const finished = pods.flatMap((p) => (p.heartbeat.lastTest?.id === testId ? [p.heartbeat.lastTest] : []));
      const loads = pods.flatMap((p) => (p.heartbeat.load?.id === testId ? [p.heartbeat.load] : []));
      return { tests: [...running, ...finished] as StressTestStatus[], loads };
    };
    let found = fromHeartbeats();
    if (!found.tests.length && !found.loads.length) {
      // Started here a moment ago: answer from the start's own reply. Started through another
      // gateway replica: its pod's next heartbeat (every second) shows it.
      const here = this.commands.startedHere(testId);
      if (here) return { id: testId, ...here };
      await this.live.waitFor((h) => h.test?.id === testId || h.lastTest?.id === testId || h.load?.id === testId, HEARTBEAT_WAIT_MS);
      found = fromHeartbeats();
    }
    const { tests, loads } = found;
    if (!tests.length && !loads.length) {
      throw new RpcError({
        code: StressErrors.NOT_FOUND.code,
        message: `No live stress pod knows test or load ${testId}.`,
        fix: 'Pods report their running test and their last finished one.',
      });
    }
    return { id: testId, tests, loads };
  }

  @Delete('tests/:id')
  stop(@Param('id') id: string) {
    return this.commands.stop(id);
  }
}
