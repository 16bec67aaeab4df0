/** Document ids we read: never a path (`/`), never `.`/`..`, never `__reserved__`. */
export function isSafeDocumentId(id: string): boolean {
  return /^[A-Za-z0-9_-]{1,64}$/.test(id) && !/^__.*__$/.test(id);
}
