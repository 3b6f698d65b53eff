import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { StorageRpc, TransportErrors } from '@eks-info/contracts';
import { MessageBus, RpcError } from '@eks-info/platform';
import { requestFrom } from '../http/contract-input';
import { markReplayed, withIdempotencyKey } from '../http/idempotency-key';
import { payloadError, uploadRequest } from './upload-request';

/** How long a broadcast (cleanup) waits for every storage pod's answer. */
const GATHER_WINDOW_MS = 2_000;

/** `Content-Disposition` file name: ASCII only, no quotes (the key is server-generated anyway). */
export function dispositionName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100) || 'download';
}

/**
 * Stored content served back as a download: never as HTML. nosniff keeps browsers from guessing,
 * and a sandboxing CSP disarms the response even if it were opened as a document.
 */
export function sendStoredContent(
  reply: FastifyReply,
  object: { name: string; isText: boolean; text: string | null; base64: string | null },
  forceDownload: boolean,
): FastifyReply {
  const name = dispositionName(object.name);
  reply.header('x-content-type-options', 'nosniff').header('content-security-policy', "sandbox; default-src 'none'").header('cache-control', 'no-store');
  if (object.isText && object.text !== null && !forceDownload) {
    return reply.type('text/plain; charset=utf-8').header('content-disposition', `inline; filename="${name}"`).send(object.text);
  }
  const bytes = object.text !== null ? Buffer.from(object.text, 'utf8') : Buffer.from(object.base64 ?? '', 'base64');
  return reply.type('application/octet-stream').header('content-disposition', `attachment; filename="${name}"`).send(bytes);
}

/** JSON twins of the storage pages (`/api/v1/storage…`); errors become the error envelope. */
@Controller('api/v1/storage')
export class StorageApiController {
  constructor(private readonly bus: MessageBus) {}

  @Get()
  overview() {
    return this.bus.request(StorageRpc.overview, {});
  }

  // ---- EBS ------------------------------------------------------------------------------

  @Get('ebs')
  ebs(@Query('limit') limit?: string) {
    return this.bus.request(StorageRpc.ebs, requestFrom(StorageRpc.ebs, { limit }));
  }

  /** An `Idempotency-Key` header makes a retry get the first answer (marked `Idempotent-Replayed: true`). */
  @Post('ebs/entries')
  @HttpCode(201)
  async writeEntry(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown) {
    return markReplayed(reply, await this.bus.request(StorageRpc.ebsWrite, requestFrom(StorageRpc.ebsWrite, withIdempotencyKey(request, body))));
  }

  /** Every storage pod deletes its own old access logs; the answer lists each pod's result. */
  @Post('ebs/cleanup')
  @HttpCode(200)
  async cleanup(@Body() body: unknown) {
    const pods = await this.bus.gather(StorageRpc.ebsCleanup, requestFrom(StorageRpc.ebsCleanup, body), { windowMs: GATHER_WINDOW_MS });
    if (pods.length === 0) {
      throw new RpcError({
        code: TransportErrors.UNAVAILABLE.code,
        message: 'No storage pod answered the cleanup.',
        fix: 'Check that the storage service is running and connected to NATS.',
      });
    }
    return { pods };
  }

  // ---- EFS ------------------------------------------------------------------------------

  @Get('efs')
  efs(@Query('limit') limit?: string) {
    return this.bus.request(StorageRpc.efs, requestFrom(StorageRpc.efs, { limit }));
  }

  @Post('efs/files')
  @HttpCode(201)
  async writeFile(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: unknown) {
    return markReplayed(reply, await this.bus.request(StorageRpc.efsWrite, requestFrom(StorageRpc.efsWrite, withIdempotencyKey(request, body))));
  }

  @Get('efs/files/:name')
  readFile(@Param('name') name: string) {
    return this.bus.request(StorageRpc.efsRead, requestFrom(StorageRpc.efsRead, { name }));
  }

  @Delete('efs/files/:name')
  deleteFile(@Param('name') name: string) {
    return this.bus.request(StorageRpc.efsDelete, requestFrom(StorageRpc.efsDelete, { name }));
  }

  // ---- S3 -------------------------------------------------------------------------------

  @Get('s3')
  s3(@Query('after') after?: string, @Query('pageSize') pageSize?: string) {
    return this.bus.request(StorageRpc.s3, requestFrom(StorageRpc.s3, { after, pageSize }));
  }

  /** JSON `{"content": "…"}` (or the old `{"text": "…"}`), or multipart with a `file` field (forms also send the CSRF token and their key). */
  @Post('s3/objects')
  @HttpCode(201)
  async upload(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    try {
      return markReplayed(
        reply,
        await this.bus.request(StorageRpc.s3Upload, requestFrom(StorageRpc.s3Upload, withIdempotencyKey(request, uploadRequest(request)))),
      );
    } catch (err) {
      throw payloadError(err);
    }
  }

  /** The object itself: text as text/plain, anything else (or `?download=1`) as an attachment. */
  @Get('s3/objects/*')
  async download(@Param('*') key: string, @Query('download') download: string | undefined, @Res() reply: FastifyReply) {
    const object = await this.bus.request(StorageRpc.s3Read, requestFrom(StorageRpc.s3Read, { key }));
    return sendStoredContent(reply, object, download !== undefined && download !== '0');
  }

  @Delete('s3/objects/*')
  deleteObject(@Param('*') key: string) {
    return this.bus.request(StorageRpc.s3Delete, requestFrom(StorageRpc.s3Delete, { key }));
  }

  /** Uploads a statistics report of the current interval now. */
  @Post('s3/reports')
  @HttpCode(201)
  reportNow() {
    return this.bus.request(StorageRpc.reportNow, {});
  }
}
