export { freePort } from './processes';
