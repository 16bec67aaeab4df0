import type { Budget } from '@dialogflow-functions/core/deadline';

/** A product's name per language: English always, the others when the source has them. */
export interface ProductNames {
  en: string;
  'zh-TW'?: string;
  ja?: string;
}

/** What a product lookup answers, whichever source it came from. */
export interface Product {
  id: string;
  names: ProductNames;
  stock: number;
}

/**
 * Where check_inventory reads products: Firestore `products/{id}` or a SQL table, chosen by
 * `INVENTORY_SOURCE`. Implementations bound every read by the turn's budget.
 */
export interface Inventory {
  /** For logs: which backend answered (or failed). */
  readonly source: 'firestore' | 'mysql';
  /**
   * The product whose id or name (English or Traditional Chinese) is `query`, compared case-
   * and width-insensitively (NFKC: "ＬＡＴＴＥ" finds `latte`); `undefined` when none is.
   * Rejects `deadline-exceeded` when the read would outlive the budget, and with the backend's
   * error (or a shape error for a malformed stored product) when it fails.
   */
  findProduct(query: string, budget: Budget): Promise<Product | undefined>;
  /** Releases connections (scripts and tests; a function instance keeps them). */
  close(): Promise<void>;
}

/** Longer product parameters are not product names: the handler asks again. */
export const MAX_PRODUCT_QUERY_LENGTH = 100;

/**
 * The comparison form of a product id or name: NFKC (full-width letters and digits become
 * ASCII, half-width katakana full-width), trimmed, inner whitespace collapsed, lower case.
 */
export function productKey(text: string): string {
  return text.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}
