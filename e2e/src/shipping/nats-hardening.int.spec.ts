/**
 * NATS as the chart (and compose) configure it: one user per component, allowed to publish and
 * subscribe only on the subjects it uses (generated from libs/contracts); the credentials either
 * rendered by the chart and carried in a pod-template checksum (server and clients roll
 * together) or taken from an existing Secret (GitOps); TLS between the pods as an option.
 * Proved on a real nats-server running the chart's rendered configuration.
 */
import { spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { connect, type NatsConnection, StringCodec } from 'nats';
import pino from 'pino';
import { generate } from 'selfsigned';
import { EnvironmentRpc, StorageRpc, StressEvents } from '@eks-info/contracts';
import {
  NATS_AUTHORIZATION_FILE,
  NATS_COMPONENTS,
  type ProcessRuntime,
  createRuntime,
  natsAuthorizationFile,
  natsConnectionOptions,
  natsPasswordVariable,
} from '@eks-info/platform';
import { ManagedProcess, componentEntry, freePort, isListening, startNodeProcess, waitFor } from '@eks-info/testing';
import { INSTALL_TIMEOUT_MS, ROOT, ensureTools, type K8sObject, parseDocs, renderChart, tempDir, tool } from './support';

jest.setTimeout(180_000);

const sc = StringCodec();
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
const byName = (docs: K8sObject[], kind: string, suffix: string) => docs.find((d) => d.kind === kind && d.metadata.name.endsWith(suffix));
const appWorkloads = (docs: K8sObject[]) =>
  docs.filter((d) => ['Deployment', 'StatefulSet'].includes(d.kind) && d.metadata.labels['app.kubernetes.io/component'] !== 'nats');
const container = (w: K8sObject) => w.spec.template.spec.containers[0];
const envOf = (w: K8sObject): Record<string, K8sObject> => Object.fromEntries(container(w).env.map((e: K8sObject) => [e.name, e]));

beforeAll(() => ensureTools('helm', 'nats'), INSTALL_TIMEOUT_MS);

describe('the NATS users and permissions', () => {
  it('are generated from the contracts into the file the chart and compose load, and that file is up to date', () => {
    // To refresh: npm run build && node dist/libs/platform/src/transport/nats-permissions.cli.js --write
    expect(readFileSync(path.join(ROOT, NATS_AUTHORIZATION_FILE), 'utf8')).toBe(natsAuthorizationFile());
  });

  it('are what compose runs: the nats service includes the file and each app service logs in as its component', () => {
    const compose = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
    expect(compose).toContain(`./${NATS_AUTHORIZATION_FILE}:/etc/nats/nats-authorization.conf:ro`);
    expect(readFileSync(path.join(ROOT, 'docker/nats.conf'), 'utf8')).toMatch(/^include \.\/nats-authorization\.conf$/m);
    for (const component of NATS_COMPONENTS) {
      const variable = natsPasswordVariable(component);
      // The server's password variable and the component's own default are the same.
      const server = new RegExp(`${variable}: \\$\\{${variable}:-([^}]+)\\}`).exec(compose)?.[1];
      expect({ component, server }).toEqual({ component, server: expect.any(String) });
      expect(compose).toContain(`NATS_USER: ${component}\n      NATS_PASSWORD: \${${variable}:-${server}}`);
    }
  });
});

describe('the chart', () => {
  const render = (args: string[] = []) => parseDocs(renderChart(args));

  it("gives each app container its own NATS user and password, and the server every component's password", () => {
    const docs = render();
    const secret = byName(docs, 'Secret', '-nats')!;
    expect(Object.keys(secret.data).sort()).toEqual(NATS_COMPONENTS.map((c) => `${c}-password`).sort());
    for (const w of appWorkloads(docs)) {
      const component = w.metadata.labels['app.kubernetes.io/component'];
      const env = envOf(w);
      expect({ component, user: env.NATS_USER?.value, password: env.NATS_PASSWORD?.valueFrom?.secretKeyRef }).toEqual({
        component,
        user: component,
        password: { name: secret.metadata.name, key: `${component}-password` },
      });
      expect(env.NATS_TOKEN).toBeUndefined();
    }
    const server = envOf(byName(docs, 'StatefulSet', '-nats')!);
    for (const c of NATS_COMPONENTS)
      expect(server[natsPasswordVariable(c)].valueFrom.secretKeyRef).toEqual({ name: secret.metadata.name, key: `${c}-password` });
    const conf: string = byName(docs, 'ConfigMap', '-nats')!.data['nats.conf'];
    expect(conf).toContain(natsAuthorizationFile().split('\n').slice(3).join('\n').trim().split('\n')[0]); // the authorization block
    for (const c of NATS_COMPONENTS) expect(conf).toContain(`password: $${natsPasswordVariable(c)}`);
  });

  it('puts the rendered passwords in a checksum on the server and every client, so a new render (helm template) rolls them together', () => {
    const checksums = (docs: K8sObject[]) => [
      ...new Set(
        docs.filter((d) => ['Deployment', 'StatefulSet'].includes(d.kind)).map((w) => w.spec.template.metadata.annotations['checksum/nats-credentials']),
      ),
    ];
    const first = render();
    const second = render();
    const passwords = (docs: K8sObject[]) => NATS_COMPONENTS.map((c) => b64(byName(docs, 'Secret', '-nats')!.data[`${c}-password`]));
    // One checksum on every pod template, the NATS server's included, computed from the Secret's values.
    expect(checksums(first)).toEqual([sha256(passwords(first).join('\n'))]);
    // helm template cannot look the old Secret up: new passwords, and so a new checksum everywhere.
    expect(passwords(second)).not.toEqual(passwords(first));
    expect(checksums(second)).toEqual([sha256(passwords(second).join('\n'))]);
  });

  it('with nats.existingSecret renders no password: every pod reads that Secret, and the checksum stays put across renders', () => {
    const args = ['--set', 'nats.existingSecret=gitops-nats'];
    const docs = render(args);
    expect(byName(docs, 'Secret', '-nats')).toBeUndefined();
    for (const w of appWorkloads(docs)) expect(envOf(w).NATS_PASSWORD.valueFrom.secretKeyRef.name).toBe('gitops-nats');
    for (const c of NATS_COMPONENTS)
      expect(envOf(byName(docs, 'StatefulSet', '-nats')!)[natsPasswordVariable(c)].valueFrom.secretKeyRef.name).toBe('gitops-nats');
    const annotation = (d: K8sObject[]) => byName(d, 'Deployment', '-gateway')!.spec.template.metadata.annotations['checksum/nats-credentials'];
    expect(annotation(render(args))).toBe(annotation(docs));
  });

  it('with gateway.auth.existingSecret renders no password; without, the gateway rolls when its rendered password changes', () => {
    const existing = render(['--set', 'gateway.auth.existingSecret=gitops-auth']);
    expect(byName(existing, 'Secret', '-auth')).toBeUndefined();
    expect(envOf(byName(existing, 'Deployment', '-gateway')!).AUTH_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'gitops-auth', key: 'auth-password' });
    const checksum = (d: K8sObject[]) => byName(d, 'Deployment', '-gateway')!.spec.template.metadata.annotations['checksum/config'];
    expect(checksum(render(['--set', 'gateway.auth.existingSecret=gitops-auth']))).toBe(checksum(existing));
    // Generated: each render's password differs, and so does the checksum of the pods that read it.
    const [a, b] = [render(), render()];
    expect(byName(a, 'Secret', '-auth')!.data['auth-password']).not.toBe(byName(b, 'Secret', '-auth')!.data['auth-password']);
    expect(checksum(a)).not.toBe(checksum(b));
    // A given password: the same render twice.
    const fixed = ['--set', 'gateway.auth.password=correct-horse-battery'];
    expect(checksum(render(fixed))).toBe(checksum(render(fixed)));
  });

  it('passes TLS settings to every client when nats.tls is on', () => {
    const docs = render(['--set', 'nats.tls.enabled=true']);
    for (const w of appWorkloads(docs)) {
      const cm = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === container(w).envFrom[0].configMapRef.name)!;
      expect(cm.data.NATS_URL).toBe('tls://demo-eks-info-nats.eks-info.svc:4222');
      expect(cm.data.NATS_TLS_CA_FILE).toBe('/etc/eks-info/nats-tls/ca.crt');
      const volume = w.spec.template.spec.volumes.find((v: K8sObject) => v.name === 'nats-ca');
      // Only the CA reaches the clients, never the server's key.
      expect(volume.secret).toEqual({ secretName: 'demo-eks-info-nats-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }] });
    }
    const withOwn = render(['--set', 'nats.tls.enabled=true', '--set', 'nats.tls.existingSecret=cert-manager-nats']);
    expect(byName(withOwn, 'Secret', '-nats-tls')).toBeUndefined();
    expect(byName(withOwn, 'StatefulSet', '-nats')!.spec.template.spec.volumes.find((v: K8sObject) => v.name === 'tls').secret.secretName).toBe(
      'cert-manager-nats',
    );
  });
});

/** nats-server with the chart's rendered nats.conf: its own ports, the Secret's passwords and certificate as a pod would get them. */
async function chartNats(
  args: string[],
): Promise<{ url: string; passwords: Record<string, string>; docs: K8sObject[]; proc: ManagedProcess; dir: string; cleanup: () => void }> {
  const docs = parseDocs(renderChart(args));
  const { dir, cleanup } = tempDir('chart-nats');
  let conf: string = byName(docs, 'ConfigMap', '-nats')!.data['nats.conf'];
  const tls = byName(docs, 'Secret', '-nats-tls');
  if (tls) {
    mkdirSync(path.join(dir, 'tls'));
    for (const key of ['tls.crt', 'tls.key', 'ca.crt']) writeFileSync(path.join(dir, 'tls', key), b64(tls.data[key]));
    conf = conf.replaceAll('/etc/nats-tls/', `${path.join(dir, 'tls')}/`);
  }
  // The pid file of the preStop hook: in the pod an emptyDir, here this test's directory.
  conf = conf.replaceAll('/var/run/nats/', `${dir}/`);
  writeFileSync(path.join(dir, 'nats.conf'), conf);
  const secret = byName(docs, 'Secret', '-nats')!;
  const passwords = Object.fromEntries(NATS_COMPONENTS.map((c) => [c, b64(secret.data[`${c}-password`])]));
  const [port, monitor] = [await freePort(), await freePort()];
  const proc = new ManagedProcess({
    name: 'nats-server',
    command: tool('nats-server'),
    args: ['-c', path.join(dir, 'nats.conf'), '-a', '127.0.0.1', '-p', String(port), '-m', String(monitor)],
    env: { PATH: process.env.PATH, POD_NAME: 'nats-0', ...Object.fromEntries(NATS_COMPONENTS.map((c) => [natsPasswordVariable(c), passwords[c]])) },
  });
  await waitFor(
    async () => {
      if (!proc.running) throw new Error(`nats-server exited:\n${proc.tail()}`);
      return isListening(port);
    },
    { timeoutMs: 10_000, what: 'nats-server with the chart configuration' },
  );
  return { url: `${tls ? 'tls' : 'nats'}://127.0.0.1:${port}`, passwords, docs, proc, dir, cleanup };
}

describe("the NATS pod's preStop hook", () => {
  it('puts the server in lame-duck mode: clients are told, then moved off, and the server ends within the grace period', async () => {
    const server = await chartNats([]);
    try {
      const sts = byName(server.docs, 'StatefulSet', '-nats')!;
      const command: string[] = container(sts).lifecycle.preStop.exec.command;
      expect(command[0]).toBe('nats-server');
      const grace = Number(sts.spec.template.spec.terminationGracePeriodSeconds);
      const nc = await connect({ servers: server.url, user: 'gateway', pass: server.passwords.gateway, reconnect: false });
      const statuses: string[] = [];
      void (async () => {
        for await (const s of nc.status()) statuses.push(s.type);
      })();
      const started = Date.now();
      // The hook as the kubelet runs it in the container: the chart's command, the pid file in this test's directory.
      const hook = spawnSync(
        tool('nats-server'),
        command.slice(1).map((a) => a.replace('/var/run/nats/', `${server.dir}/`)),
        { encoding: 'utf8' },
      );
      expect([hook.status, hook.stderr]).toEqual([0, '']);
      await waitFor(() => statuses.includes('ldm'), { timeoutMs: 5_000, what: 'the lame-duck notice at the client' });
      await waitFor(() => !server.proc.running, { timeoutMs: grace * 1000, what: 'nats-server to end after lame-duck mode' });
      const took = (Date.now() - started) / 1000;
      console.log(`lame-duck mode: the client was told at once; the server ended after ${took.toFixed(1)} s (grace period ${grace} s)`);
      expect(took).toBeLessThan(grace);
      expect(nc.isClosed()).toBe(true);
    } finally {
      await server.proc.stop();
      server.cleanup();
    }
  });
});

const violations = (proc: ManagedProcess) => proc.output.filter((l) => /Violation/.test(l));

describe("the chart's NATS configuration on a real nats-server", () => {
  let server: Awaited<ReturnType<typeof chartNats>>;
  const open: Array<NatsConnection | ProcessRuntime> = [];
  /** A raw connection as a component (its inbox prefix like the app's). */
  const as = async (component: string, password = server.passwords[component]) => {
    const nc = await connect({ servers: server.url, user: component, pass: password, inboxPrefix: `_INBOX.${component}`, reconnect: false });
    open.push(nc);
    return nc;
  };
  /** The app's own runtime, configured as the chart configures a pod. */
  const runtime = async (component: string) => {
    const rt = createRuntime(
      component,
      `${component}-0`,
      { NATS_URL: [server.url], NATS_USER: component, NATS_PASSWORD: server.passwords[component], RPC_TIMEOUT_MS: 2000, LOG_LEVEL: 'silent' } as Parameters<
        typeof createRuntime
      >[2],
      { logger: pino({ level: 'silent' }) },
    );
    open.push(rt);
    if (rt.transport.kind === 'nats') await rt.transport.connection.whenReady();
    return rt;
  };
  /** Messages a connection receives on a subject within a short while. */
  const received = (nc: NatsConnection, subject: string, queue?: string) => {
    const got: string[] = [];
    nc.subscribe(subject, { queue, callback: (err, m) => !err && got.push(sc.decode(m.data)) });
    return got;
  };
  const settle = () => new Promise((r) => setTimeout(r, 300));

  beforeAll(async () => {
    server = await chartNats([]);
  });
  // Each test's connections go with it: a subscriber left behind would join a queue group of the next.
  afterEach(async () => {
    for (const c of open.splice(0)) await ('bus' in c ? c.bus.close() : c.close()).catch(() => undefined);
  });
  afterAll(async () => {
    await server?.proc.stop();
    server?.cleanup();
  });

  it("lets a component do what it does and nothing else: stress cannot publish on storage's subjects", async () => {
    const storage = await as('storage');
    const got = received(storage, StorageRpc.efsWrite.subject, 'storage');
    await storage.flush();
    const stress = await runtime('stress');
    // What stress does: heartbeats reach the gateway.
    const gateway = await as('gateway');
    const beats = received(gateway, StressEvents.heartbeat.subject);
    await gateway.flush();
    stress.bus.emit(StressEvents.heartbeat, { pod: 'stress-0' } as never);
    // What it may not: a request (and a plain publish) on a storage subject.
    const refused = await stress.bus.request(StorageRpc.efsWrite, { content: 'written by stress' }).then(
      () => 'answered',
      (err: Error) => err.message,
    );
    const raw = await as('stress');
    raw.publish(StorageRpc.efsWrite.subject, sc.encode('{"data":{"content":"raw"}}'));
    await raw.flush().catch(() => undefined);
    await settle();
    expect(beats).toHaveLength(1);
    expect(got).toEqual([]);
    expect(refused).toMatch(/Permissions Violation/);
    expect(violations(server.proc).filter((l) => l.includes('user:stress') && l.includes('"storage.efs.write"')).length).toBeGreaterThanOrEqual(2);
  });

  it("lets nobody listen to another component's requests or read its replies", async () => {
    const before = violations(server.proc).length;
    // The gateway answers nothing: it may not subscribe to a service's subject...
    const gateway = await as('gateway');
    const snooped = received(gateway, StorageRpc.efsWrite.subject);
    // ...and storage may not read the gateway's inbox, where the replies to its requests arrive.
    const storage = await as('storage');
    const replies = received(storage, '_INBOX.gateway.>');
    await Promise.all([gateway.flush(), storage.flush()]);
    // A real request and reply: environment answers the gateway.
    const environment = await as('environment');
    environment.subscribe(EnvironmentRpc.overview.subject, { queue: 'environment', callback: (_e, m) => m.respond(sc.encode('{"response":"pong"}')) });
    await environment.flush();
    const reply = await gateway.request(EnvironmentRpc.overview.subject, sc.encode('{}'), { timeout: 2000 });
    // The environment user replies only to requests it received: not to a subject of its choosing.
    environment.publish('_INBOX.gateway.spoofed', sc.encode('spoof'));
    await environment.flush().catch(() => undefined);
    await settle();
    expect(sc.decode(reply.data)).toBe('{"response":"pong"}');
    expect(snooped).toEqual([]);
    expect(replies).toEqual([]);
    const fresh = violations(server.proc).slice(before).join('\n');
    expect(fresh).toMatch(/user:gateway.*Subscription Violation - Subject "storage\.efs\.write"/);
    expect(fresh).toMatch(/user:storage.*Subscription Violation - Subject "_INBOX\.gateway\.>"/);
    expect(fresh).toMatch(/user:environment.*Publish Violation - Subject "_INBOX\.gateway\.spoofed"/);
  });

  it('refuses a wrong password and a client without a user', async () => {
    await expect(as('storage', 'not-the-password')).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
    await expect(connect({ servers: server.url, reconnect: false })).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
  });

  it('runs the app with each component on its own user without a single permission violation', async () => {
    const { dir, cleanup } = tempDir('app-users');
    const before = violations(server.proc).length;
    const procs: ManagedProcess[] = [];
    try {
      const common = (c: string) => ({
        NATS_URL: server.url,
        NATS_USER: c,
        NATS_PASSWORD: server.passwords[c],
        KUBE_MODE: 'off',
        IMDS_MODE: 'off',
        SHUTDOWN_GRACE_MS: '0',
      });
      const services: Array<[string, string, Record<string, string>]> = [
        ['environment', componentEntry('environment'), {}],
        [
          'storage',
          componentEntry('storage'),
          { EBS_PATH: path.join(dir, 'ebs'), EFS_PATH: path.join(dir, 'efs'), S3_LOCAL_DIR: path.join(dir, 's3'), REQUIRE_MOUNTS: 'false' },
        ],
        ['stress', componentEntry('stress'), {}],
        ['scaling-monitor', componentEntry('scaling-monitor'), { HISTORY_PATH: path.join(dir, 'history') }],
      ];
      for (const [c, entry, env] of services) {
        const port = await freePort();
        procs.push(
          await startNodeProcess({
            name: c,
            entry,
            env: { ...common(c), MANAGEMENT_PORT: String(port), MANAGEMENT_HOST: '127.0.0.1', ...env },
            readyUrl: `http://127.0.0.1:${port}/ready`,
          }),
        );
      }
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      procs.push(
        await startNodeProcess({
          name: 'gateway',
          entry: componentEntry('gateway'),
          env: { ...common('gateway'), PORT: String(port), HOST: '127.0.0.1', MUTATION_RATE_LIMIT_PER_MINUTE: '1000' },
          readyUrl: `${base}/ready`,
        }),
      );
      const call = async (method: string, url: string, body?: unknown) => {
        const res = await fetch(`${base}${url}`, {
          method,
          headers: body ? { 'content-type': 'application/json' } : {},
          body: body ? JSON.stringify(body) : undefined,
        });
        return { url, status: res.status, json: (await res.json().catch(() => null)) as Record<string, unknown> | null };
      };
      // Heartbeats reach the gateway (stress publishes, the gateway listens).
      await waitFor(async () => ((await call('GET', '/api/v1/stress')).json?.pods as unknown[] | undefined)?.length === 1, {
        timeoutMs: 15_000,
        what: 'the stress pod in the gateway',
      });
      const statuses: Array<{ url: string; status: number }> = [];
      for (const url of ['/', '/resources', '/network', '/storage', '/ebs', '/efs', '/s3', '/stress', '/scaling', '/scaling/history'])
        statuses.push({ url, status: (await fetch(`${base}${url}`)).status });
      for (const [method, url, body] of [
        ['POST', '/api/v1/storage/ebs/entries', { content: 'over my own NATS user' }],
        ['POST', '/api/v1/storage/efs/files', { content: 'shared' }],
        ['POST', '/api/v1/storage/s3/objects', { text: 'uploaded' }],
        ['POST', '/api/v1/storage/ebs/cleanup', {}],
        ['POST', '/api/v1/storage/s3/reports', {}],
        ['POST', '/api/v1/network/refresh', {}],
        ['POST', '/api/v1/stress/cpu', { durationSeconds: 5, intensity: 10, workers: 1, target: 'all' }],
        ['POST', '/api/v1/stress/load', { millicores: 100, durationSeconds: 5 }],
      ] as Array<[string, string, unknown]>) {
        const r = await call(method, url, body);
        statuses.push({ url: `${method} ${url}`, status: r.status });
        const id = (r.json?.load as { id?: string } | undefined)?.id;
        if (id) statuses.push({ url: 'DELETE load', status: (await call('DELETE', `/api/v1/stress/tests/${id}`)).status });
      }
      await settle();
      if (statuses.some((s) => s.status >= 400)) console.log('failed requests; the processes said:\n', procs.map((p) => p.tail()).join('\n=====\n'));
      expect(statuses.filter((s) => s.status >= 400)).toEqual([]);
      expect(violations(server.proc).slice(before)).toEqual([]);
    } finally {
      for (const p of procs.reverse()) await p.stop();
      cleanup();
    }
  });
});

describe('TLS between the pods and NATS (nats.tls.enabled)', () => {
  let server: Awaited<ReturnType<typeof chartNats>>;
  beforeAll(async () => {
    server = await chartNats(['--set', 'nats.tls.enabled=true']);
  });
  afterAll(async () => {
    await server?.proc.stop();
    server?.cleanup();
  });

  it("names the service and every route in the chart's certificate, signed by the CA the clients get", () => {
    const cert = new X509Certificate(readFileSync(path.join(server.dir, 'tls/tls.crt')));
    const ca = new X509Certificate(readFileSync(path.join(server.dir, 'tls/ca.crt')));
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.subjectAltName).toContain('DNS:demo-eks-info-nats.eks-info.svc');
    expect(cert.subjectAltName).toContain('DNS:*.demo-eks-info-nats-headless.eks-info.svc');
    // Three servers: the routes between them are TLS too, each side verifying the other.
    const cluster: string = byName(parseDocs(renderChart(['--set', 'nats.tls.enabled=true', '--set', 'nats.replicaCount=3'])), 'ConfigMap', '-nats')!.data[
      'nats.conf'
    ];
    expect(cluster).toMatch(/cluster \{[\s\S]*tls \{[\s\S]*ca_file: \/etc\/nats-tls\/ca\.crt[\s\S]*verify: true/);
  });

  it('the server requires TLS: a plain client is refused, a client with the CA (verifying the service name) gets in', async () => {
    const plain = await connect({
      servers: server.url.replace('tls://', 'nats://'),
      user: 'gateway',
      pass: server.passwords.gateway,
      reconnect: false,
      tls: null,
    }).then(
      (nc) => nc.close().then(() => 'connected'),
      (err: Error) => err.message,
    );
    expect(plain).not.toBe('connected');
    const ca = readFileSync(path.join(server.dir, 'tls/ca.crt'), 'utf8');
    const nc = await connect({
      servers: server.url,
      user: 'gateway',
      pass: server.passwords.gateway,
      reconnect: false,
      // In a pod the client dials the service name; here it dials 127.0.0.1 and checks that name.
      tls: { ca, servername: 'demo-eks-info-nats.eks-info.svc' } as never,
    });
    expect(nc.info?.tls_required).toBe(true);
    await nc.close();
  });
});

describe("the services' own TLS client (NATS_TLS_CA_FILE)", () => {
  it('connects to a server signed by the CA it was given, and refuses one signed by another', async () => {
    const { dir, cleanup } = tempDir('nats-tls-client');
    const procs: ManagedProcess[] = [];
    try {
      const make = async (cn: string) => {
        const ca = await generate([{ name: 'commonName', value: `${cn}-ca` }], {
          keyType: 'ec',
          algorithm: 'sha256',
          extensions: [
            { name: 'basicConstraints', cA: true, critical: true },
            { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
          ],
        });
        const leaf = await generate([{ name: 'commonName', value: cn }], {
          keyType: 'ec',
          algorithm: 'sha256',
          ca: { key: ca.private, cert: ca.cert },
          extensions: [
            { name: 'extKeyUsage', serverAuth: true },
            // nats.js checks a loopback server under the name localhost.
            {
              name: 'subjectAltName',
              altNames: [
                { type: 2, value: 'localhost' },
                { type: 7, ip: '127.0.0.1' },
              ],
            },
          ],
        });
        for (const [name, text] of [
          [`${cn}-ca.crt`, ca.cert],
          [`${cn}.crt`, leaf.cert],
          [`${cn}.key`, leaf.private],
        ])
          writeFileSync(path.join(dir, name), text);
      };
      await Promise.all([make('ours'), make('theirs')]);
      const serve = async (cn: string) => {
        const port = await freePort();
        writeFileSync(path.join(dir, `${cn}.conf`), `tls {\n  cert_file: "${path.join(dir, `${cn}.crt`)}"\n  key_file: "${path.join(dir, `${cn}.key`)}"\n}\n`);
        const proc = new ManagedProcess({
          name: `nats-${cn}`,
          command: tool('nats-server'),
          args: ['-c', path.join(dir, `${cn}.conf`), '-a', '127.0.0.1', '-p', String(port)],
        });
        procs.push(proc);
        await waitFor(() => isListening(port), { timeoutMs: 10_000 });
        return `tls://127.0.0.1:${port}`;
      };
      const [good, bad] = [await serve('ours'), await serve('theirs')];
      // The runtime a service builds from its config: NATS_TLS_CA_FILE set, it verifies the server.
      const ok = createRuntime(
        'gateway',
        'gw-0',
        { NATS_URL: [good], NATS_TLS_CA_FILE: path.join(dir, 'ours-ca.crt'), RPC_TIMEOUT_MS: 2000, LOG_LEVEL: 'silent' } as Parameters<typeof createRuntime>[2],
        { logger: pino({ level: 'silent' }) },
      );
      if (ok.transport.kind !== 'nats') throw new Error('expected NATS');
      const connected = await Promise.race([ok.transport.connection.whenReady().then(() => true), new Promise((r) => setTimeout(() => r(false), 10_000))]);
      expect(connected).toBe(true);
      expect(ok.transport.connection.current()?.info?.tls_required).toBe(true);
      await ok.bus.close();
      // The same connection options against a server signed by another CA: refused (the runtime
      // itself would retry forever, so the options are tried once here).
      const refused = await connect({
        ...natsConnectionOptions({ servers: [bad], name: 'gw-0', tlsCaFile: path.join(dir, 'ours-ca.crt') }),
        waitOnFirstConnect: false,
        reconnect: false,
      }).then(
        (nc) => nc.close().then(() => 'connected'),
        (err: Error) => err.message,
      );
      expect(refused).not.toBe('connected');
      expect(refused).toMatch(/certificate|self.signed|verify/i);
    } finally {
      for (const p of procs) await p.stop();
      cleanup();
    }
  });
});
