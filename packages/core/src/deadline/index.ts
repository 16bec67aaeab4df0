export * from './budget';
export * from './with-deadline';
export * from './lag';
