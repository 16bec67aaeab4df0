import * as crypto from 'node:crypto';

type OneShotHash = {
  (algorithm: string, data: string, outputEncoding: 'buffer'): Buffer;
  (algorithm: string, data: string, outputEncoding: 'hex'): string;
};
/** Node's one-shot `crypto.hash` (Node ≥ 20.12): no Hash object per call, on every turn's path. */
const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash;

/** SHA-256 of a string, as bytes. */
export function sha256(value: string): Buffer {
  return oneShot
    ? oneShot('sha256', value, 'buffer')
    : crypto.createHash('sha256').update(value).digest();
}

/** SHA-256 of a string, as hex. */
export function sha256Hex(value: string): string {
  return oneShot
    ? oneShot('sha256', value, 'hex')
    : crypto.createHash('sha256').update(value).digest('hex');
}
