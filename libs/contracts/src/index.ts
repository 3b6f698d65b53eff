export * from './common';
export * from './access';
export * from './environment';
export * from './storage';
export * from './stress';
export * from './scaling';
export * from './reports';
