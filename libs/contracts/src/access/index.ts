export * from './access.events';
