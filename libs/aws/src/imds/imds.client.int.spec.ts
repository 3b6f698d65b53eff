import http from 'node:http';
import net from 'node:net';
import { ImdsErrors } from '@eks-info/contracts';
import { MetadataMock, freePort, waitFor } from '@eks-info/testing';
import { ImdsClient, ImdsPaths } from './imds.client';
import { IMDS_HOP_LIMIT_FIX, ImdsError } from './imds.errors';

/** A loopback TCP server that counts connections; `answer` false = accept and never reply. */
async function tcpServer(options: { answer: boolean }): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (options.answer) socket.end('HTTP/1.1 200 OK\r\ncontent-length: 5\r\nconnection: close\r\n\r\ntoken');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function imdsError(p: Promise<unknown>): Promise<ImdsError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ImdsError) return err;
    throw err;
  }
  throw new Error('expected an ImdsError');
}

describe('ImdsClient against amazon-ec2-metadata-mock (IMDSv2 only)', () => {
  let mock: MetadataMock;

  beforeAll(async () => {
    mock = await MetadataMock.start({
      instanceId: 'i-0abc1234def567890',
      instanceType: 'm7g.large',
      region: 'eu-west-1',
      availabilityZone: 'eu-west-1b',
      accountId: '444455556666',
      architecture: 'arm64',
      lifecycle: 'spot',
      securityGroupIds: ['sg-0aaa', 'sg-0bbb'],
      publicIp: null,
    });
  });
  afterAll(async () => {
    await mock?.stop();
  });

  it('gets one token and reuses it for every GET, including concurrent ones', async () => {
    const imds = new ImdsClient({ enabled: true, endpoint: mock.endpoint, timeoutMs: 2000 });
    const before = mock.tokenRequests();
    const [doc, lifecycle, type] = await Promise.all([imds.identityDocument(), imds.get(ImdsPaths.instanceLifeCycle), imds.get(ImdsPaths.instanceType)]);
    const mac = await imds.require(ImdsPaths.mac);
    const groups = await imds.list(ImdsPaths.macs(mac, 'security-group-ids'));

    expect(doc).toMatchObject({
      instanceId: 'i-0abc1234def567890',
      region: 'eu-west-1',
      availabilityZone: 'eu-west-1b',
      accountId: '444455556666',
      architecture: 'arm64',
    });
    expect(lifecycle).toBe('spot');
    expect(type).toBe('m7g.large');
    expect(groups).toEqual(['sg-0aaa', 'sg-0bbb']);
    await waitFor(() => mock.tokenRequests() > before, { what: 'the token request in the mock log' });
    await new Promise((r) => setTimeout(r, 200)); // let the log catch up with any extra request
    expect(mock.tokenRequests() - before).toBe(1);
  });

  it('answers null for a path IMDS does not have (no public IP), and caches values', async () => {
    const imds = new ImdsClient({ enabled: true, endpoint: mock.endpoint, timeoutMs: 2000 });
    expect(await imds.get(ImdsPaths.publicIpv4)).toBeNull();
    await imds.get(ImdsPaths.instanceId);
    await waitFor(() => mock.requests('/latest/meta-data/instance-id') > 0, { what: 'the instance-id GET in the mock log' });
    const served = mock.requests('/latest/meta-data/instance-id');
    expect(await imds.get(ImdsPaths.instanceId)).toBe('i-0abc1234def567890');
    await new Promise((r) => setTimeout(r, 200));
    expect(mock.requests('/latest/meta-data/instance-id')).toBe(served);
  });

  it('region() comes from the identity document', async () => {
    const imds = new ImdsClient({ enabled: true, endpoint: mock.endpoint, timeoutMs: 2000 });
    expect(await imds.region()).toBe('eu-west-1');
  });
});

describe('ImdsClient failure modes', () => {
  it('unreachable (closed port): IMDS.UNREACHABLE with the hop-limit fix, remembered without reconnecting', async () => {
    const port = await freePort();
    const imds = new ImdsClient({ enabled: true, endpoint: `http://127.0.0.1:${port}`, timeoutMs: 500, unreachableTtlMs: 60_000 });
    const first = await imdsError(imds.get(ImdsPaths.instanceId));
    expect(first.code).toBe(ImdsErrors.UNREACHABLE.code);
    expect(first.body.message).toContain('ECONNREFUSED');
    expect(first.body.fix).toBe(IMDS_HOP_LIMIT_FIX);
    expect(first.body.fix).toContain('--http-put-response-hop-limit 2');

    // Something now listens on that port: a client that did not remember the failure would connect.
    const server = net.createServer((s) => s.destroy());
    let connections = 0;
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      const second = await imdsError(imds.identityDocument());
      expect(second.code).toBe(ImdsErrors.UNREACHABLE.code);
      await new Promise((r) => setTimeout(r, 100));
      expect(connections).toBe(0);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('a token PUT that never gets an answer (hop limit 1) fails after timeoutMs', async () => {
    const stall = await tcpServer({ answer: false });
    try {
      const imds = new ImdsClient({ enabled: true, endpoint: `http://127.0.0.1:${stall.port}`, timeoutMs: 300 });
      const started = Date.now();
      const err = await imdsError(imds.get(ImdsPaths.instanceId));
      const took = Date.now() - started;
      expect(err.code).toBe(ImdsErrors.UNREACHABLE.code);
      expect(err.body.message).toContain('no answer within 300 ms');
      expect(err.body.fix).toContain('HttpPutResponseHopLimit');
      expect(took).toBeGreaterThanOrEqual(250);
      expect(took).toBeLessThan(2000);
      expect(stall.connections()).toBe(1);
    } finally {
      await stall.close();
    }
  });

  it('disabled: every read fails with IMDS.DISABLED and no socket is opened', async () => {
    const listening = await tcpServer({ answer: true });
    try {
      const endpoint = `http://127.0.0.1:${listening.port}`;
      const imds = new ImdsClient({ enabled: false, offReason: 'outside-kubernetes', endpoint, timeoutMs: 500 });
      for (const read of [() => imds.get(ImdsPaths.instanceId), () => imds.identityDocument(), () => imds.region(), () => imds.list(ImdsPaths.mac)]) {
        const err = await imdsError(read());
        expect(err.code).toBe(ImdsErrors.DISABLED.code);
        expect(err.body.message).toBe('IMDS is off outside Kubernetes');
        expect(err.body.fix).toBe('Set IMDS_MODE=on to enable it');
      }
      await new Promise((r) => setTimeout(r, 100));
      expect(listening.connections()).toBe(0);

      // Control: the same endpoint with IMDS on is contacted, so zero above means "never tried".
      await new ImdsClient({ enabled: true, endpoint, timeoutMs: 500 }).get(ImdsPaths.instanceId).catch(() => undefined);
      await waitFor(() => listening.connections() > 0, { timeoutMs: 2000, what: 'a connection from the enabled client' });
    } finally {
      await listening.close();
    }
  });

  it('a token rejected with 401 is replaced once and the read succeeds', async () => {
    let tokens = 0;
    const ttlHeaders: unknown[] = [];
    const server = http.createServer((req, res) => {
      if (req.method === 'PUT' && req.url === '/latest/api/token') {
        ttlHeaders.push(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
        return res.end(`token-${++tokens}`);
      }
      // The first token is "expired": only the second one is accepted.
      if (req.headers['x-aws-ec2-metadata-token'] !== 'token-2') return res.writeHead(401).end();
      res.end('i-0fromsecondtoken');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const imds = new ImdsClient({ enabled: true, endpoint: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, timeoutMs: 1000 });
      expect(await imds.get(ImdsPaths.instanceId)).toBe('i-0fromsecondtoken');
      expect(tokens).toBe(2);
      expect(ttlHeaders).toEqual(['21600', '21600']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
