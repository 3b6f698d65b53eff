// Launchers for moto (AWS APIs) and the EC2 metadata mock, and a moto VPC scenario.
export * from './moto-server';
export * from './metadata-mock';
export * from './network-scenario';
export * from './sdk-calls';
export * from './slow-proxy';
export * from './eks-demo-environment';
export * from './pricing-stand-in';
