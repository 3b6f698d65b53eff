import 'reflect-metadata';
import { runProcess } from '@eks-info/platform';
import { createGatewayApp } from './gateway.app';
import { gatewayConfig, gatewayConfigRules } from './gateway.config';

/**
 * The gateway as its own process (every deployed shape): pages and API over NATS. Run directly
 * (`node main.js`), or by the bundle's launcher (dist/app/gateway/main.js).
 */
export function main(): void {
  runProcess({ name: 'gateway', config: gatewayConfig, rules: gatewayConfigRules, start: (context) => createGatewayApp(context) });
}

if (require.main === module) main();
