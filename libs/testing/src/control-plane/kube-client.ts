import https from 'node:https';

export interface KubeResponse<T = unknown> {
  status: number;
  body: T;
}

/** A watch opened with a raw request: the HTTP status, the events as they arrive, and how to end it. */
export interface RawWatch {
  status: number;
  events: Array<{ type: string; object: Record<string, unknown> }>;
  ended: Promise<void>;
  close(): void;
}

/**
 * A minimal Kubernetes REST client (bearer token, the cluster CA) for the test harness: the
 * same requests reach the real API server and the fake one, so tests can hold both to the same
 * behaviour. Raw on purpose: what a test sees is exactly what the server sent.
 */
export class KubeClient {
  constructor(
    readonly server: string,
    private readonly token: string,
    private readonly ca: string,
  ) {}

  withToken(token: string): KubeClient {
    return new KubeClient(this.server, token, this.ca);
  }

  get<T = Record<string, unknown>>(path: string): Promise<KubeResponse<T>> {
    return this.request<T>('GET', path);
  }

  post<T = Record<string, unknown>>(path: string, body: unknown): Promise<KubeResponse<T>> {
    return this.request<T>('POST', path, body);
  }

  put<T = Record<string, unknown>>(path: string, body: unknown): Promise<KubeResponse<T>> {
    return this.request<T>('PUT', path, body);
  }

  /** JSON merge patch. */
  patch<T = Record<string, unknown>>(path: string, body: unknown): Promise<KubeResponse<T>> {
    return this.request<T>('PATCH', path, body, 'application/merge-patch+json');
  }

  delete<T = Record<string, unknown>>(path: string, body?: unknown): Promise<KubeResponse<T>> {
    return this.request<T>('DELETE', path, body);
  }

  /** Like `post`, but a non-2xx answer throws with the server's message. */
  async create<T = Record<string, unknown>>(path: string, body: unknown): Promise<T> {
    return expectOk(await this.post<T>(path, body), `POST ${path}`);
  }

  request<T>(method: string, path: string, body?: unknown, contentType = 'application/json', timeoutMs = 30_000): Promise<KubeResponse<T>> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        new URL(path, this.server),
        {
          method,
          ca: this.ca,
          headers: {
            Authorization: `Bearer ${this.token}`,
            Accept: 'application/json',
            ...(payload !== undefined ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // plain text (healthz) stays a string
            }
            resolve({ status: res.statusCode ?? 0, body: parsed as T });
          });
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Opens `GET path?watch=true…` and collects the events; resolves once the headers arrived. */
  watch(path: string): Promise<RawWatch> {
    return new Promise((resolve, reject) => {
      const req = https.get(new URL(path, this.server), { ca: this.ca, headers: { Authorization: `Bearer ${this.token}` } }, (res) => {
        const events: RawWatch['events'] = [];
        let buffer = '';
        let finish!: () => void;
        const ended = new Promise<void>((r) => (finish = r));
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            if (!line) continue;
            try {
              events.push(JSON.parse(line) as RawWatch['events'][number]);
            } catch {
              // a non-JSON body (an HTTP error) is kept whole below
              buffer = line + '\n' + buffer;
              break;
            }
          }
        });
        res.on('end', () => {
          if (buffer.trim()) {
            try {
              events.push({ type: 'BODY', object: JSON.parse(buffer) as Record<string, unknown> });
            } catch {
              events.push({ type: 'BODY', object: { text: buffer } });
            }
          }
          finish();
        });
        res.on('error', () => finish());
        res.on('close', () => finish());
        resolve({ status: res.statusCode ?? 0, events, ended, close: () => req.destroy() });
      });
      req.on('error', reject);
    });
  }
}

export function expectOk<T>(res: KubeResponse<T>, what: string): T {
  if (res.status < 200 || res.status >= 300) {
    const message = (res.body as { message?: string } | undefined)?.message ?? JSON.stringify(res.body).slice(0, 500);
    throw new Error(`${what}: HTTP ${res.status}: ${message}`);
  }
  return res.body;
}
