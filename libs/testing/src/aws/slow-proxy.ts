import http from 'node:http';
import type net from 'node:net';

/**
 * An HTTP proxy on 127.0.0.1 to `target` that holds every request for `delayMs` before passing it
 * on: a slow AWS endpoint, for deadline tests. `requests()` counts what it received.
 */
export async function slowHttpProxy(target: string, delayMs: number): Promise<{ endpoint: string; requests: () => number; close: () => Promise<void> }> {
  const url = new URL(target);
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      setTimeout(() => {
        const upstream = http.request({ host: url.hostname, port: url.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
        upstream.on('error', () => res.destroy());
        upstream.end(Buffer.concat(chunks));
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
