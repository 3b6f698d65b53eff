import net from 'node:net';

/**
 * HTTP/1.1 on the wire: the request bytes exactly as built here. Node's own client refuses to
 * send what a hostile client would (bytes above 0x7F in headers, CR/LF, duplicate lengths,
 * unknown methods), so fuzzing the server's parser needs a socket.
 */
export interface WireRequest {
  method: string;
  target: string;
  /** Sent in this order; `Host` and `Content-Length` are added unless given (or set to null). */
  headers?: Array<[string, string | Buffer]>;
  body?: Buffer | string;
  host?: string | null;
  contentLength?: string | null;
  /** The request line's version (HTTP/1.1 by default). */
  version?: string;
}

export interface WireAnswer {
  /** 0: the server closed the connection or sent nothing in time. */
  status: number;
  head: string;
  body: Buffer;
}

export function encode(request: WireRequest, authority: string): Buffer {
  const body = request.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
  const lines: Buffer[] = [Buffer.from(`${request.method} ${request.target} ${request.version ?? 'HTTP/1.1'}\r\n`, 'latin1')];
  const header = (name: string, value: string | Buffer) =>
    lines.push(Buffer.concat([Buffer.from(`${name}: `, 'latin1'), Buffer.isBuffer(value) ? value : Buffer.from(value, 'latin1'), Buffer.from('\r\n')]));
  if (request.host !== null) header('Host', request.host ?? authority);
  for (const [name, value] of request.headers ?? []) header(name, value);
  if (request.contentLength !== null && (body.length > 0 || ['POST', 'PUT', 'PATCH', 'DELETE'].includes(request.method)))
    header('Content-Length', request.contentLength ?? String(body.length));
  header('Connection', 'close');
  lines.push(Buffer.from('\r\n'), body);
  return Buffer.concat(lines);
}

/** Sends one request on a new connection and reads the answer until the server closes it. */
export function send(port: number, request: WireRequest, timeoutMs = 15_000): Promise<WireAnswer> {
  const bytes = encode(request, `127.0.0.1:${port}`);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host: '127.0.0.1', port });
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const raw = Buffer.concat(chunks);
      const end = raw.indexOf('\r\n\r\n');
      const head = (end < 0 ? raw : raw.subarray(0, end)).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, head, body: end < 0 ? Buffer.alloc(0) : raw.subarray(end + 4) });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', finish);
    socket.on('close', finish);
    // The server may answer (413, 431) and close before the whole request is written.
    socket.on('error', finish);
    socket.write(bytes);
  });
}
