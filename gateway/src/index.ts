// What the single-process entry (local/) composes; nothing else imports the gateway.
export { createGatewayApp, type GatewayConfig } from './gateway.app';
export { gatewayConfig, gatewayConfigRules } from './gateway.config';
