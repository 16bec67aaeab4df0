export { Budget } from '../deadline';
export * from './context';
export * from './params';
export * from './render';
export * from './reply';
export * from './router';
