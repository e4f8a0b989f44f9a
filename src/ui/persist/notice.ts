/** The words for a save that failed: what was not saved, and why. The banner adds what to do. */
export function isQuotaError(e: unknown): boolean {
  return e instanceof DOMException && (e.name === 'QuotaExceededError' || e.name === 'NS_ERROR_DOM_QUOTA_REACHED');
}

export function notSavedNotice(what: string, e: unknown): string {
  const why = isQuotaError(e) ? 'browser storage is full' : e instanceof Error ? e.message : String(e);
  return `${what[0]!.toUpperCase()}${what.slice(1)} — ${why}`;
}
