import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type S3ObjectSummary, type S3View, StorageRpc } from '@eks-info/contracts';
import { CONFIG, RpcError } from '@eks-info/platform';
import { type Outcome, PageService } from '../views/page.service';
import { payloadError, uploadRequest } from './upload-request';
import { keyPath, notice, redirectTo, renderPage } from './storage-page.helpers';

/** The uploader's own file name, kept percent-encoded in the metadata (shown escaped). */
function originalName(encoded: string | undefined): string | null {
  if (!encoded) return null;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

const withLinks = (o: S3ObjectSummary) => ({
  ...o,
  viewHref: `/s3/objects/${keyPath(o.key)}`,
  downloadHref: `/api/v1/storage/s3/objects/${keyPath(o.key)}?download=1`,
});

/** `/s3`: bucket, access method and settings, objects with pagination, reports; upload, view, delete. */
@Controller()
export class S3PageController {
  constructor(
    private readonly pages: PageService,
    @Inject(CONFIG) private readonly config: { UPLOAD_LIMIT_BYTES?: number },
  ) {}

  @Get('/s3')
  async page(
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('done') done?: string,
    @Query('after') after?: string,
    @Query('key') key?: string,
  ) {
    // Only a key the app could have generated is echoed back (the query is anyone's to write).
    const uploadedKey = done === 'uploaded' && typeof key === 'string' && /^[A-Za-z0-9._/-]{1,200}$/.test(key) ? key : undefined;
    return this.render(request, reply, { notice: notice(done), uploadedKey }, 200, after);
  }

  /** The upload form: text (urlencoded) or a file (multipart, the CSRF token in the form). */
  @Post('/s3/objects')
  async upload(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    let out: Outcome<{ object: { key: string } }>;
    try {
      out = await this.pages.call(StorageRpc.s3Upload, uploadRequest(request));
    } catch (err) {
      if (!(err instanceof RpcError)) throw err;
      out = { ok: false, error: { ...err.body, status: err.status } };
    }
    if (out.ok) return redirectTo(reply, `/s3?done=uploaded&key=${encodeURIComponent(out.data.object.key)}`);
    // A message above the bus's max_payload becomes a 413 that names the setting.
    const mapped = payloadError(new RpcError(out.error)) as RpcError;
    const shown = { ...mapped.body, status: mapped.status };
    return this.render(request, reply, { formError: shown }, shown.status);
  }

  /** One object: text shown escaped in the page, binary offered as a download. */
  @Get('/s3/objects/*')
  async object(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Param('*') key: string) {
    const object = await this.pages.call(StorageRpc.s3Read, { key });
    const layout = this.pages.layout(request, reply, { title: 'S3 object', active: 's3', forms: true }, [object]);
    const links = object.ok
      ? {
          downloadHref: `/api/v1/storage/s3/objects/${keyPath(object.data.key)}?download=1`,
          rawHref: `/api/v1/storage/s3/objects/${keyPath(object.data.key)}`,
          originalName: originalName(object.data.metadata['original-name']),
        }
      : {};
    return renderPage(reply, 'storage/views/s3-object', { layout, object, key, ...links }, object.ok ? 200 : object.error.status);
  }

  @Post('/s3/delete')
  async delete(@Req() request: FastifyRequest, @Res() reply: FastifyReply, @Body() body: unknown) {
    const out = await this.pages.call(StorageRpc.s3Delete, body);
    if (out.ok) return redirectTo(reply, '/s3?done=deleted');
    return this.render(request, reply, { formError: out.error }, out.error.status);
  }

  @Post('/s3/reports')
  async report(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const out = await this.pages.call(StorageRpc.reportNow, {});
    if (out.ok) return redirectTo(reply, '/s3?done=report');
    return this.render(request, reply, { formError: out.error }, out.error.status);
  }

  private async render(request: FastifyRequest, reply: FastifyReply, extra: object, status = 200, after?: string) {
    const view = await this.pages.call(StorageRpc.s3, after ? { after } : {});
    const layout = this.pages.layout(request, reply, { title: 'S3', active: 's3', forms: true }, [view]);
    const uploadLimit = this.config.UPLOAD_LIMIT_BYTES ?? 10 * 1024 * 1024;
    return renderPage(reply, 'storage/views/s3', { layout, view: view.ok ? { ok: true, data: this.links(view.data) } : view, uploadLimit, ...extra }, status);
  }

  private links(data: S3View) {
    return {
      ...data,
      objects:
        data.objects.status === 'ok'
          ? {
              ...data.objects,
              data: {
                ...data.objects.data,
                items: data.objects.data.items.map(withLinks),
                nextHref: data.objects.data.next ? `/s3?after=${encodeURIComponent(data.objects.data.next)}` : null,
              },
            }
          : data.objects,
      reports: data.reports.status === 'ok' ? { ...data.reports, data: { ...data.reports.data, items: data.reports.data.items.map(withLinks) } } : data.reports,
    };
  }
}
