import type { AwsConfig } from './aws.config';
import { AwsClients, awsClientsOptionsFromConfig } from './clients';
import { ImdsClient, imdsOptionsFromConfig } from './imds/imds.client';

/**
 * A service's IMDS client and AWS clients from its validated config. Without AWS_REGION the
 * clients take the instance's region from IMDS (when IMDS is off, calls fail with AWS.NOT_CONFIGURED).
 */
export function createAws(
  config: AwsConfig & { RPC_TIMEOUT_MS?: number },
  env: NodeJS.ProcessEnv = process.env,
  component?: string,
): { imds: ImdsClient; clients: AwsClients } {
  const imds = new ImdsClient(imdsOptionsFromConfig(config, env));
  // Every call ends before the caller's request over the bus times out (RPC_TIMEOUT_MS).
  const clients = new AwsClients({ ...awsClientsOptionsFromConfig(config, () => imds.region(), config.RPC_TIMEOUT_MS), env, component });
  return { imds, clients };
}
