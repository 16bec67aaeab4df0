export * from './incoming';
export * from './client';
