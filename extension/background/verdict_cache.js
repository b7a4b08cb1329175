// The service worker's verdict cache: one companion answer per (platform, action, post, draft), least recently used out.

export class VerdictCache {
  constructor(limit) {
    this.limit = limit;
    this.entries = new Map();
  }

  static key({ platform, action, post, draft_text, lang }) {
    return JSON.stringify([platform, action, lang, draft_text ?? null, post]);
  }

  get(request) {
    const key = VerdictCache.key(request);
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(request, value) {
    const key = VerdictCache.key(request);
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value);
  }

  clear() {
    this.entries.clear();
  }
}
