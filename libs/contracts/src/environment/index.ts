export * from './environment.subjects';
export * from './environment.errors';
export * from './dto/overview.dto';
export * from './dto/interruption.dto';
export * from './dto/resources.dto';
export * from './dto/network.dto';
export * from './simulation';
