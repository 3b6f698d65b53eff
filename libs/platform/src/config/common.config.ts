import { v } from './config.schema';

/** Variables every process reads (gateway and services). */
export const commonConfig = {
  POD_NAME: v.string({ description: 'Pod name (downward API); defaults to the host name', optional: true }),
  POD_NAMESPACE: v.string({ description: 'Pod namespace (downward API); defaults to the service-account namespace', optional: true }),
  POD_IP: v.string({ description: 'Pod IP (downward API)', optional: true }),
  NODE_NAME: v.string({ description: 'Node the pod runs on (downward API)', optional: true }),
  NATS_URL: v.urlList({
    description: 'NATS server URLs, comma-separated. Unset in `npm start`: the in-process transport is used',
    protocols: ['nats', 'tls'],
    optional: true,
    example: 'nats://127.0.0.1:4222',
  }),
  NATS_USER: v.string({ description: 'NATS user name, when the server requires one', optional: true }),
  NATS_PASSWORD: v.string({ description: 'NATS password', optional: true, sensitive: true }),
  NATS_TOKEN: v.string({ description: 'NATS token, instead of user and password', optional: true, sensitive: true }),
  NATS_TLS_CA_FILE: v.string({
    description: "CA certificate(s) that sign the NATS server's certificate; set, the connection requires TLS (the chart's nats.tls)",
    optional: true,
  }),
  RPC_TIMEOUT_MS: v.int({ description: 'Time a request over the bus may take before it fails with 504', default: '5000', min: 100, max: 120000 }),
  LOG_LEVEL: v.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    description: 'Lowest level of the JSON log lines written to stdout',
    default: 'info',
  }),
  MANAGEMENT_PORT: v.port({ description: "Port of a service's /health, /ready and /metrics (0 = any free port)", default: '9000' }),
  MANAGEMENT_HOST: v.string({ description: 'Address the management port binds to', default: '0.0.0.0' }),
  SYSTEM_METRICS_INTERVAL_SECONDS: v.int({ description: 'Interval of the structured system-metrics log line (0 = off)', default: '60', min: 0 }),
  SHUTDOWN_GRACE_MS: v.int({
    description: 'On SIGTERM: time between turning not-ready and closing, so load balancers drain',
    default: '3000',
    min: 0,
    max: 60000,
  }),
};
