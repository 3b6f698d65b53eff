import { ConfigError, loadConfig } from '@eks-info/platform';
import { awsConfigSpec, resolveImdsMode } from './aws.config';

describe('awsConfigSpec', () => {
  it('has the documented defaults', () => {
    expect(loadConfig(awsConfigSpec, {})).toEqual({
      AWS_REGION: undefined,
      AWS_REQUEST_TIMEOUT_MS: 3000,
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
});
