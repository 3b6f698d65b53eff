import { ConfigError, loadConfig, sensitiveNames, v } from './config.schema';

const spec = {
  PORT: v.port({ description: 'port', default: '8080' }),
  MODE: v.oneOf(['a', 'b'], { description: 'mode', default: 'a' }),
  FLAG: v.bool({ description: 'flag', default: 'false' }),
  URLS: v.urlList({ description: 'servers', protocols: ['nats'], optional: true }),
  SECRET: v.string({ description: 'secret', optional: true, sensitive: true }),
  NEEDED: v.string({ description: 'a required thing' }),
};

describe('loadConfig', () => {
  it('applies defaults and parses types', () => {
    const c = loadConfig(spec, { NEEDED: 'x', FLAG: 'yes', URLS: 'nats://a:4222, nats://b:4222' });
    expect(c).toEqual({ PORT: 8080, MODE: 'a', FLAG: true, URLS: ['nats://a:4222', 'nats://b:4222'], SECRET: undefined, NEEDED: 'x' });
  });

  it('lists every bad variable at once, naming it and what is allowed', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig(spec, { PORT: '99999', MODE: 'c', FLAG: 'maybe', URLS: 'http://x' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toHaveLength(5);
    expect(error!.message).toContain('PORT="99999" must be ≤ 65535');
    expect(error!.message).toContain('MODE="c" must be one of: a, b');
    expect(error!.message).toContain('FLAG="maybe" must be true or false');
    expect(error!.message).toContain('URLS="http://x" must be comma-separated URLs (nats)');
    expect(error!.message).toContain('NEEDED is required: a required thing');
  });

  it('never prints a sensitive value in an error', () => {
    const s = { TOKEN: v.string({ description: 'token', sensitive: true, pattern: /^t_/ }) };
    expect(() => loadConfig(s, { TOKEN: 'hunter2' })).toThrow(/TOKEN=\(hidden\)/);
    expect(() => loadConfig(s, { TOKEN: 'hunter2' })).not.toThrow(/hunter2/);
  });

  it('never prints the password or token inside a bad URL', () => {
    const err = (() => {
      try {
        loadConfig(spec, { NEEDED: 'x', URLS: 'nats://app:hunter2@nats:4222,http://t0ken@nats:4222' });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err?.problems[0]).toMatch(/^URLS="nats:\/\/app:\[redacted\]@nats:4222,http:\/\/\[redacted\]@nats:4222" must be/);
    expect(err?.message).not.toMatch(/hunter2|t0ken/);
  });

  it('rejects non-integers where a whole number is expected', () => {
    expect(() => loadConfig({ N: v.int({ description: 'n' }) }, { N: '1.5' })).toThrow(/whole number/);
    expect(() => loadConfig({ N: v.int({ description: 'n' }) }, { N: '12abc' })).toThrow(/whole number/);
  });

  it('runs cross-variable rules after the types check out', () => {
    const rules = [(c: { MODE: string; SECRET?: string }) => (c.MODE === 'b' && !c.SECRET ? ['SECRET is required when MODE=b'] : [])];
    expect(() => loadConfig(spec, { NEEDED: 'x', MODE: 'b' }, rules)).toThrow(/SECRET is required when MODE=b/);
    expect(loadConfig(spec, { NEEDED: 'x', MODE: 'b', SECRET: 's' }, rules).MODE).toBe('b');
  });

  it('knows which variables are sensitive', () => {
    expect([...sensitiveNames(spec)]).toEqual(['SECRET']);
  });
});
