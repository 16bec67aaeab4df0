import type { z } from 'zod';
import type { Budget } from '../conversation/budget';
import { withDeadline } from '../deadline';
import { FulfillmentError } from '../errors';
import type { FirestoreFactory } from './client';
import { isSafeDocumentId, OrderDoc, ProductDoc } from './documents';

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
  if (!isSafeDocumentId(id)) {
    throw new FulfillmentError('invalid-argument', `not a document id: ${collection}/…`);
  }
  const path = `${collection}/${id}`;
  const ms = budget.forCall();
  const snapshot = await withDeadline(
    db().then((firestore) => firestore.collection(collection).doc(id).get()),
    ms,
    `read ${collection}`,
    budget.signal,
  );
  if (!snapshot.exists) return undefined;
  const parsed = schema.safeParse(snapshot.data());
  if (!parsed.success) throw new DocumentShapeError(path);
  return parsed.data;
}

export const readOrder = (db: FirestoreFactory, id: string, budget: Budget) =>
  readDocument(db, 'orders', id, OrderDoc, budget);

export const readProduct = (db: FirestoreFactory, id: string, budget: Budget) =>
  readDocument(db, 'products', id, ProductDoc, budget);
