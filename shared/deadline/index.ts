export * from './budget';
export * from './with-deadline';
