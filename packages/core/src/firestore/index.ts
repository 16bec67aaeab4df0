export * from './client';
export * from './documents';
export * from './reads';
