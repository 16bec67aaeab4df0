export * from './schema';
export * from './store';
export * from './defer';
