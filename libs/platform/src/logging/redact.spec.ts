import { REDACTED, redactEnvironment, redactUrlPassword, redactVariable } from './redact';

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
    expect(redactUrlPassword('connect nats://app:s3cr3t@nats:4222 and https://u:p@h/x')).toBe(
      `connect nats://app:${REDACTED}@nats:4222 and https://u:${REDACTED}@h/x`,
    );
    expect(redactVariable('NATS_URL', 'nats://app:s3cr3t@nats:4222')).toEqual({ name: 'NATS_URL', value: `nats://app:${REDACTED}@nats:4222`, redacted: true });
  });

  it('lists the environment sorted', () => {
    expect(redactEnvironment({ B: '2', A: '1', DB_PASSWORD: 'x' }).map((v) => `${v.name}=${v.value}`)).toEqual(['A=1', 'B=2', `DB_PASSWORD=${REDACTED}`]);
  });
});
