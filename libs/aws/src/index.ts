export * from './aws.config';
export * from './aws.runtime';
export * from './credentials';
export * from './clients';
export * from './aws-errors';
export * from './deadline-body';
export * from './imds/imds.errors';
export * from './imds/imds.client';
