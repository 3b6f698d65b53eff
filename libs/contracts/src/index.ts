export * from './common';
export * from './access';
export * from './environment';
