export * from './define';
export * from './doc';
export * from './ids';
export * from './registry';
export * from './store';
export * from './tasks';
export * from './defer';
export * from './describe';
