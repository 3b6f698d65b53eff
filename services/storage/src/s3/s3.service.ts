import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  type S3Config,
  type S3ObjectContent,
  type S3ObjectDeleted,
  type S3ObjectWritten,
  type S3UploadRequest,
  type S3View,
  type S3ViewRequest,
  type Section,
  StorageErrors,
  failed,
  ok,
  unavailable,
} from '@eks-info/contracts';
import { DomainException, IDENTITY, type Identity, LOGGER, type Logger, RpcError } from '@eks-info/platform';
import { IdempotentWrites, fingerprint } from '../common/idempotency';
import { assertFileName, assertSafeName, assertTextSize } from '../common/names';
import { stamp } from '../common/timestamps';
import { ReportClock } from '../reports/report-clock';
import { S3_RUNTIME, STORAGE_SETTINGS, type S3Runtime, type StorageSettings } from '../storage.tokens';
import { S3Markers } from './s3-markers';
import type { S3Store } from './s3-store';

const TEXT_TYPE = 'text/plain; charset=utf-8';
const BINARY_TYPE = 'application/octet-stream';
/** Types whose bytes are text when they decode as UTF-8 (anything else is kept as binary). */
const TEXTUAL = /^(text\/[a-z0-9.+-]+|application\/(json|xml|x-yaml|yaml|x-ndjson|csv))$/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text is valid UTF-8 without NUL bytes; it is shown and served as text/plain, nothing else. */
export function decodeText(bytes: Buffer): string | null {
  if (bytes.includes(0)) return null;
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

function random(): string {
  return randomBytes(6).toString('hex');
}

/**
 * The S3 demo: upload text or a file under the app prefix with a generated key and the writer
 * in the metadata, list with pagination, view, download and delete. Stored objects never keep a
 * type the user chose: text is text/plain, everything else application/octet-stream, so nothing
 * uploaded here is ever served as HTML, from the app or from S3 itself.
 */
@Injectable()
export class S3Service {
  /** A retry with the same key, on any pod, gets the first object (the markers are in the bucket). */
  private readonly uploads = new IdempotentWrites<S3ObjectWritten['object']>();

  constructor(
    @Inject(S3_RUNTIME) private readonly runtime: S3Runtime,
    @Inject(STORAGE_SETTINGS) private readonly settings: StorageSettings,
    @Inject(IDENTITY) private readonly identity: Identity,
    private readonly clock: ReportClock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async config(): Promise<Section<S3Config>> {
    const rt = this.runtime;
    if (!rt.configured) return unavailable({ code: StorageErrors.NOT_CONFIGURED.code, message: rt.reason, fix: rt.fix });
    const { store } = rt;
    return ok({
      bucket: store.bucket,
      region: rt.region,
      prefix: store.options.prefix,
      local: store.options.local,
      endpoint: store.options.endpoint,
      access: rt.access,
      identity: await store.identity(),
      actions: store.ledger.statuses(),
    });
  }

  async view(request: S3ViewRequest | undefined): Promise<Omit<S3View, 'servedBy'>> {
    const pageSize = request?.pageSize ?? 25;
    const rt = this.runtime;
    if (!rt.configured) {
      const body = { code: StorageErrors.NOT_CONFIGURED.code, message: rt.reason, fix: rt.fix };
      return { config: unavailable(body), settings: unavailable(body), objects: unavailable(body), reports: unavailable(body) };
    }
    const { store } = rt;
    const after = request?.after ? this.appKey(request.after, 'page token') : undefined;
    const [config, settings, objects, reports] = await Promise.all([
      this.config(),
      store.settings().then((s) => ok(s)),
      this.section(
        store.list(store.uploadsPrefix, pageSize, after).then(({ items, next }) => ({
          items,
          next,
          prefix: store.uploadsPrefix,
          after: after ?? null,
          pageSize,
          bound: store.uploadsBound(this.settings.s3MaxObjects, this.settings.s3MaxBytes),
        })),
      ),
      this.section(
        this.recentReports(store).then((items) => ({
          items,
          prefix: store.reportsPrefix,
          intervalSeconds: this.settings.reportIntervalMs / 1000,
          nextReportAt: this.clock.nextReportAt().toISOString(),
        })),
      ),
    ]);
    // The listing's outcome is in the ledger now: show it.
    if (config.status === 'ok') config.data.actions = store.ledger.statuses();
    return { config, settings, objects, reports };
  }

  async upload(request: S3UploadRequest | undefined): Promise<Omit<S3ObjectWritten, 'servedBy'>> {
    const store = this.store();
    const hasText = request?.content !== undefined;
    const hasFile = request?.base64 !== undefined;
    if (hasText === hasFile) {
      throw new DomainException(StorageErrors.INVALID, 'Send either text or a file.', {
        fix: 'JSON: {"content": "…"}; a file goes as multipart/form-data in the field "file".',
      });
    }
    let body: Buffer;
    let isText: boolean;
    let ext: string;
    let originalName: string | undefined;
    if (hasText) {
      body = Buffer.from(assertTextSize(request!.content!, this.settings.textLimitBytes), 'utf8');
      isText = true;
      ext = 'txt';
    } else {
      body = this.decodeBase64(request!.base64);
      if (body.length === 0) throw new DomainException(StorageErrors.INVALID, 'The file is empty.');
      if (request!.filename !== undefined) originalName = assertFileName(request!.filename, 'file name');
      const declared = typeof request!.contentType === 'string' ? request!.contentType.split(';')[0].trim() : '';
      isText = (TEXTUAL.test(declared) || /\.(txt|md|csv|json|log|ya?ml|xml)$/i.test(originalName ?? '')) && decodeText(body) !== null;
      const fromName = /\.([A-Za-z0-9]{1,8})$/.exec(originalName ?? '')?.[1]?.toLowerCase();
      ext = isText ? 'txt' : (fromName ?? 'bin');
    }
    const print = hasText ? fingerprint('text', request!.content) : fingerprint('file', request!.base64, originalName ?? null, request!.contentType ?? null);
    // The markers' calls and the upload share one budget: the answer comes before the RPC timeout.
    const budget = store.budget();
    const { value, replayed } = await this.uploads.run(
      request!.idempotencyKey,
      print,
      () => this.put(store, body, isText, ext, originalName, budget),
      new S3Markers(store, budget),
    );
    return replayed ? { object: value, replayed } : { object: value };
  }

  private async put(
    store: S3Store,
    body: Buffer,
    isText: boolean,
    ext: string,
    originalName: string | undefined,
    budget: AbortSignal | undefined,
  ): Promise<S3ObjectWritten['object']> {
    const now = new Date();
    const key = `${store.uploadsPrefix}upload_${stamp(now)}_${random()}.${ext}`;
    const contentType = isText ? TEXT_TYPE : BINARY_TYPE;
    const metadata: Record<string, string> = { pod: this.identity.pod, node: this.identity.node, timestamp: now.toISOString() };
    // S3 metadata is ASCII; the original name is kept percent-encoded.
    if (originalName) metadata['original-name'] = encodeURIComponent(originalName);
    await store.put(key, body, contentType, metadata, { signal: budget });
    // The bound: the oldest uploads go, after the answer (a slow listing must not delay it).
    void store
      .pruneUploads(this.settings.s3MaxObjects, this.settings.s3MaxBytes)
      .catch((err: Error) => this.logger.warn({ err: err.message }, 'pruning old uploads failed; tried again after the next upload'));
    return { ...store.summary(key, body.length, now), contentType, metadata };
  }

  async read(rawKey: unknown): Promise<Omit<S3ObjectContent, 'servedBy'>> {
    const store = this.store();
    const key = this.appKey(rawKey, 'key');
    const object = await store.get(key);
    const text = object.contentType.startsWith('text/') ? decodeText(object.body) : null;
    return {
      key,
      name: key.slice(key.lastIndexOf('/') + 1),
      size: object.size,
      contentType: text !== null ? TEXT_TYPE : BINARY_TYPE,
      lastModified: object.lastModified,
      metadata: object.metadata,
      isText: text !== null,
      text,
      base64: text === null ? object.body.toString('base64') : null,
    };
  }

  async delete(rawKey: unknown): Promise<Omit<S3ObjectDeleted, 'servedBy'>> {
    const store = this.store();
    const key = this.appKey(rawKey, 'key');
    // S3 deletes are idempotent; say so when there was nothing to delete. Both calls share one
    // budget, so the answer comes before the caller's RPC timeout.
    const budget = store.budget();
    if (!(await store.exists(key, budget))) throw new DomainException(StorageErrors.NOT_FOUND, `No object ${key} in ${store.bucket}.`);
    await store.delete(key, budget);
    return { deleted: key };
  }

  /** Reports of the last week, newest first; the marker skips older keys without listing them. */
  private async recentReports(store: S3Store): Promise<ReturnType<S3Store['summary']>[]> {
    const since = `${store.reportsPrefix}stats_${stamp(new Date(Date.now() - 7 * 86_400_000))}`;
    const items: ReturnType<S3Store['summary']>[] = [];
    let after: string | undefined = since;
    for (let page = 0; page < 5 && after !== undefined; page++) {
      const out: { items: ReturnType<S3Store['summary']>[]; next: string | null } = await store.list(store.reportsPrefix, 1000, after);
      items.push(...out.items);
      after = out.next ?? undefined;
    }
    return items.reverse().slice(0, 50);
  }

  /** A key the app may touch: safe, and under the app prefix (400 otherwise, nothing is called). */
  private appKey(raw: unknown, what: string): string {
    const key = assertSafeName(raw, what);
    const prefix = this.store().options.prefix;
    if (!key.startsWith(prefix) || key.length === prefix.length) {
      throw new DomainException(StorageErrors.OUTSIDE_PREFIX, `The ${what} is outside the app prefix ${prefix}.`, {
        fix: `The app only reads and deletes keys under ${prefix} (its IAM policy is scoped the same way).`,
      });
    }
    return key;
  }

  private decodeBase64(value: unknown): Buffer {
    if (typeof value !== 'string' || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
      throw new DomainException(StorageErrors.INVALID, 'The file must be base64-encoded.');
    }
    // Checked before decoding: 4 base64 characters carry 3 bytes.
    const size = (value.length / 4) * 3 - (value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0);
    if (size > this.settings.uploadLimitBytes) {
      throw new DomainException(StorageErrors.TOO_LARGE, `The file is ${size} bytes; at most ${this.settings.uploadLimitBytes} bytes are accepted.`, {
        fix: 'Upload a smaller file (the limit is UPLOAD_LIMIT_BYTES).',
      });
    }
    return Buffer.from(value, 'base64');
  }

  private store(): S3Store {
    const rt = this.runtime;
    if (!rt.configured) throw new DomainException(StorageErrors.NOT_CONFIGURED, rt.reason, { fix: rt.fix });
    return rt.store;
  }

  private section<T>(work: Promise<T>): Promise<Section<T>> {
    return work.then(
      (data) => ok(data),
      (err: unknown) => {
        if (err instanceof DomainException || err instanceof RpcError) return failed<T>(err.body);
        return failed<T>({ code: StorageErrors.VOLUME_ERROR.code, message: (err as Error).message });
      },
    );
  }
}
