export * from './system-metrics';
