export * from './incoming';
