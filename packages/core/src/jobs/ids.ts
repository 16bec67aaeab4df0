import { sha256 } from '../sha256';

/**
 * The job id for a turn: a hash of the Dialogflow response id and the job type, so
 * Dialogflow's retries of the same request map to the same job (and the same task name).
 * Short enough to read out: the type's first letter and 60 bits of the hash.
 */
export function jobIdFor(responseId: string, type: string): string {
  const digest = sha256(`${type}\u0000${responseId}`);
  const alphabet = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case
  let bits = 0n;
  for (const byte of digest.subarray(0, 8)) bits = (bits << 8n) | BigInt(byte);
  let id = '';
  for (let i = 0; i < 12; i++) {
    id = alphabet[Number(bits & 31n)] + id;
    bits >>= 5n;
  }
  return `${type.slice(0, 1)}-${id}`;
}
