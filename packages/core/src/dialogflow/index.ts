export * from './common';
export * from './es';
export * from './cx';
export * from './parse';
