import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { REDACTED, redactEnvironment, redactUrlCredentials, redactVariable } from './redact';

describe('redaction', () => {
  it.each([
    'AWS_SECRET_ACCESS_KEY',
    'AWS_ACCESS_KEY_ID',
    'AUTH_PASSWORD',
    'NATS_TOKEN',
    'GITHUB_TOKEN',
    'SESSION_COOKIE',
    'PRIVATE_KEY',
    'API_KEY',
    'SIGNING_KEY',
  ])('hides %s by name', (name) => expect(redactVariable(name, 'value').value).toBe(REDACTED));

  it.each(['PATH', 'HOME', 'NODE_NAME', 'KUBERNETES_SERVICE_HOST', 'AUTHOR', 'MONKEY_BUSINESS'])('shows %s', (name) => {
    expect(redactVariable(name, 'value')).toEqual({ name, value: 'value', redacted: false });
  });

  it('hides values that look like credentials whatever the name', () => {
    expect(redactVariable('X', 'AKIAIOSFODNN7EXAMPLE').redacted).toBe(true);
    expect(redactVariable('X', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc').redacted).toBe(true);
    expect(redactVariable('X', '-----BEGIN RSA PRIVATE KEY-----\nMII').redacted).toBe(true);
  });

  it('hides declared sensitive names', () => {
    expect(redactVariable('CUSTOM', 'v', new Set(['CUSTOM'])).redacted).toBe(true);
  });

  it('keeps URLs but hides their password', () => {
    expect(redactUrlCredentials('connect nats://app:s3cr3t@nats:4222 and https://u:p@h/x')).toBe(
      `connect nats://app:${REDACTED}@nats:4222 and https://u:${REDACTED}@h/x`,
    );
    expect(redactVariable('NATS_URL', 'nats://app:s3cr3t@nats:4222')).toEqual({ name: 'NATS_URL', value: `nats://app:${REDACTED}@nats:4222`, redacted: true });
  });

  it.each([
    ['a token-only URL (NATS token auth)', 'nats://s3cr3tT0ken@nats.demo.svc:4222', `nats://${REDACTED}@nats.demo.svc:4222`],
    ['a password containing /', 'nats://app:pa/ss/w0rd@nats:4222', `nats://app:${REDACTED}@nats:4222`],
    ['a password containing @ and /', 'https://u:p@ss/w@host.example/x', `https://u:${REDACTED}@host.example/x`],
    ['a password containing : ', 'nats://app:a:b:c@10.0.0.1:4222', `nats://app:${REDACTED}@10.0.0.1:4222`],
    ['every URL of a comma-separated list', 'nats://a:p1@h1:4222,nats://t0k@h2:4222', `nats://a:${REDACTED}@h1:4222,nats://${REDACTED}@h2:4222`],
    ['an IPv6 host', 'nats://app:s3cr3t@[::1]:4222', `nats://app:${REDACTED}@[::1]:4222`],
    ['a token in the query', 'https://h.example/cb?code=1&access_token=abc.def&x=2', `https://h.example/cb?code=1&access_token=${REDACTED}&x=2`],
    [
      'presigned-URL parameters',
      'https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F1&X-Amz-Security-Token=FQo&X-Amz-Signature=9f',
      `https://b.s3.amazonaws.com/k?X-Amz-Credential=${REDACTED}&X-Amz-Security-Token=${REDACTED}&X-Amz-Signature=${REDACTED}`,
    ],
    ['password= and api_key= outside a URL too', 'retry with password=hunter2 and api_key=k1', `retry with password=${REDACTED} and api_key=${REDACTED}`],
    // A value runs to the next & or space: a password with ; or , is hidden whole, with what follows.
    ['a password containing ; and ,', 'password=a;b,c&x=1', `password=${REDACTED}&x=1`],
  ])('hides %s', (_, input, expected) => {
    expect(redactUrlCredentials(input)).toBe(expected);
  });

  it.each([
    'https://example.com/docs/a@b.example', // an @ in a path is not a userinfo
    'https://example.com/x?next=mailto:a@b.example',
    'plain text with user@example.com in it',
    'nats://nats.demo.svc:4222',
    'https://example.com/search?q=tokens&page=2',
  ])('leaves %s as it is', (input) => {
    expect(redactUrlCredentials(input)).toBe(input);
  });

  it('keeps credentials out of log lines, in the message and in fields', () => {
    let out = '';
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        out += chunk.toString();
        done();
      },
    });
    const logger = createLogger({ service: 't', pod: 'p', destination });
    logger.error({ err: 'connect nats://s3cr3tT0ken@nats:4222 refused', req: { url: '/cb?token=abc123' } }, 'NATS at nats://app:pa/ss@nats:4222 is down');
    logger.flush();
    expect(out).not.toMatch(/s3cr3tT0ken|abc123|pa\/ss/);
    expect(JSON.parse(out)).toMatchObject({
      err: `connect nats://${REDACTED}@nats:4222 refused`,
      req: { url: `/cb?token=${REDACTED}` },
      msg: `NATS at nats://app:${REDACTED}@nats:4222 is down`,
    });
  });

  it('lists the environment sorted', () => {
    expect(redactEnvironment({ B: '2', A: '1', DB_PASSWORD: 'x' }).map((v) => `${v.name}=${v.value}`)).toEqual(['A=1', 'B=2', `DB_PASSWORD=${REDACTED}`]);
  });
});
