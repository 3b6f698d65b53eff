export * from './bounded-map';
export * from './ttl-cache';
