export * from './logger';
export * from './log-once';
export * from './redact';
export * from './request-context';
