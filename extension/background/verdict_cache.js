// The service worker's verdict cache: one companion answer per (platform, action, post, draft), least recently
// used out, each kept at most `ttlMs`; the service worker clears it when the companion's rules epoch changes.

export class VerdictCache {
  constructor(limit, ttlMs) {
    this.limit = limit;
    this.ttlMs = ttlMs;
    this.entries = new Map();
  }

  static key({ platform, action, post, draft_text, lang }) {
    return JSON.stringify([platform, action, lang, draft_text ?? null, post]);
  }

  get(request) {
    const key = VerdictCache.key(request);
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (Date.now() - entry.at > this.ttlMs) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  set(request, value) {
    const key = VerdictCache.key(request);
    this.entries.delete(key);
    this.entries.set(key, { value, at: Date.now() });
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value);
  }

  clear() {
    this.entries.clear();
  }
}
