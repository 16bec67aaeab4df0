export * from './cors';
export * from './detect';
export * from './from-response';
export * from './messages';
export * from './rate-limit';
export * from './render-web';
export * from './token';
export * from './wire';
