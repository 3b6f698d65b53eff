// What the single-process entry (local/) composes; nothing else imports the gateway.
export { createGatewayApp } from './gateway.app';
export { type GatewayConfig, gatewayConfig, gatewayConfigRules } from './gateway.config';
export { API_ROUTES, renderApiTable } from './http/api.catalogue';
