import { ConfigError, loadConfig, v } from '@eks-info/platform';
import { awsCallDeadlineMs, awsConfigSpec, awsDeadlineRule, resolveImdsMode } from './aws.config';

describe('awsConfigSpec', () => {
  it('has the documented defaults', () => {
    expect(loadConfig(awsConfigSpec, {})).toEqual({
      AWS_REGION: undefined,
      AWS_REQUEST_TIMEOUT_MS: 1250,
      AWS_CONNECT_TIMEOUT_MS: 1000,
      AWS_MAX_ATTEMPTS: 3,
      AWS_CACHE_TTL_SECONDS: 300,
      IMDS_MODE: 'auto',
      IMDS_ENDPOINT: 'http://169.254.169.254',
      IMDS_TIMEOUT_MS: 1000,
    });
    for (const spec of Object.values(awsConfigSpec)) expect(spec.description.length).toBeGreaterThan(20);
  });

  it('rejects bad values, naming each variable', () => {
    const bad = { AWS_REGION: 'Ireland', IMDS_MODE: 'maybe', AWS_MAX_ATTEMPTS: '0' };
    const err = (() => {
      try {
        loadConfig(awsConfigSpec, bad);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.map((p) => p.split('=')[0])).toEqual(['AWS_REGION', 'AWS_MAX_ATTEMPTS', 'IMDS_MODE']);
  });

  it('IMDS_MODE=auto is on only inside Kubernetes', () => {
    expect(resolveImdsMode('auto', {})).toEqual({ enabled: false, reason: 'outside-kubernetes' });
    expect(resolveImdsMode('auto', { KUBERNETES_SERVICE_HOST: '10.100.0.1' })).toEqual({ enabled: true });
    expect(resolveImdsMode('on', {})).toEqual({ enabled: true });
    expect(resolveImdsMode('off', { KUBERNETES_SERVICE_HOST: '10.100.0.1' })).toEqual({ enabled: false, reason: 'imds-mode-off' });
  });

  it('every call ends before the RPC timeout: the defaults fit in the default 5 s, and start-up refuses attempts that cannot', () => {
    const rpc = { RPC_TIMEOUT_MS: v.int({ description: 'rpc', default: '5000' }) };
    const defaults = loadConfig({ ...awsConfigSpec, ...rpc }, {}, [awsDeadlineRule]);
    // 3 attempts × 1250 ms + 50 + 100 ms of backoff.
    expect(awsCallDeadlineMs(defaults, defaults.RPC_TIMEOUT_MS)).toBe(3900);
    expect(awsCallDeadlineMs(defaults, defaults.RPC_TIMEOUT_MS)).toBeLessThan(defaults.RPC_TIMEOUT_MS);
    // The old defaults: 3 × 3000 ms, longer than the 5 s the gateway waits.
    const err = (() => {
      try {
        loadConfig({ ...awsConfigSpec, ...rpc }, { AWS_REQUEST_TIMEOUT_MS: '3000' }, [awsDeadlineRule]);
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.problems).toEqual([
      'AWS_MAX_ATTEMPTS × AWS_REQUEST_TIMEOUT_MS + backoff = 3 × 3000 + 150 = 9150 ms must be at most RPC_TIMEOUT_MS − 750 = 4250 ms ' +
        '(an AWS call must end before the caller gives up): lower AWS_REQUEST_TIMEOUT_MS or AWS_MAX_ATTEMPTS, or raise RPC_TIMEOUT_MS',
    ]);
    // Without the rule (npm start composes its own config) the clients still cut a call at the RPC timeout less the margin.
    expect(awsCallDeadlineMs({ AWS_MAX_ATTEMPTS: 3, AWS_REQUEST_TIMEOUT_MS: 3000 }, 5000)).toBe(4250);
  });
});
