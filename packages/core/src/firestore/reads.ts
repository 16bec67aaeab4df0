import type { DocumentSnapshot } from '@google-cloud/firestore';
import type { z } from 'zod';
import type { Budget } from '../deadline';
import { FulfillmentError } from '../errors';
import type { FirestoreFactory } from './client';
import { isSafeDocumentId } from './documents';

/** A stored document that does not match its schema: bad data, not a missing document. */
export class DocumentShapeError extends Error {
  override readonly name = 'DocumentShapeError';
  constructor(readonly path: string) {
    super(`${path} does not have the expected shape`);
  }
}

/**
 * Reads one document within the turn's budget and parses it with `schema`. Resolves
 * `undefined` when it does not exist; rejects `deadline-exceeded` when the read would outlive
 * the deadline, {@link DocumentShapeError} when the stored data is malformed.
 */
export async function readDocument<S extends z.ZodType>(
  db: FirestoreFactory,
  collection: string,
  id: string,
  schema: S,
  budget: Budget,
): Promise<z.infer<S> | undefined> {
  const snapshot = await getSnapshot(db, collection, id, budget);
  if (!snapshot.exists) return undefined;
  const parsed = schema.safeParse(snapshot.data());
  if (!parsed.success) throw new DocumentShapeError(`${collection}/${id}`);
  return parsed.data;
}

/**
 * One document's snapshot, read within the turn's budget (rejects `deadline-exceeded` when the
 * read would outlive it). Refuses ids that are not plain document ids.
 */
export async function getSnapshot(
  db: FirestoreFactory,
  collection: string,
  id: string,
  budget: Budget,
): Promise<DocumentSnapshot> {
  if (!isSafeDocumentId(id)) {
    throw new FulfillmentError('invalid-argument', `not a document id: ${collection}/…`);
  }
  return budget.bound(
    db().then((firestore) => firestore.collection(collection).doc(id).get()),
    `read ${collection}`,
  );
}
