export * from './report.queries';
