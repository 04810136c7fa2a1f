/**
 * The exact error botbuilder's `MemoryStorage` raises on a stale eTag. Every `Storage` in
 * Rapport raises the same text, so code and logs can't tell the backends apart.
 */
export function eTagConflictError(key: string): Error {
  return new Error(`Storage: error writing "${key}" due to eTag conflict.`);
}
