// The shared namespace of Netral's content scripts (isolated world, unreachable from page scripts),
// with messaging to the service worker and the user's language.
"use strict";

globalThis.Netral = {
  /** "en" when the browser's UI language is English, else "id" (the default locale). */
  lang: chrome.i18n.getUILanguage().toLowerCase().startsWith("en") ? "en" : "id",

  /** chrome.i18n.getMessage with substitutions. */
  t(key, ...substitutions) {
    return chrome.i18n.getMessage(key, substitutions.map(String)) || key;
  },

  /** One request to the service worker's router; rejects on a router error or a dead extension context. */
  async send(what, payload = {}) {
    const answer = await chrome.runtime.sendMessage({ what, ...payload });
    if (answer && typeof answer === "object" && "error" in answer && Object.keys(answer).length === 1) {
      throw new Error(answer.error);
    }
    return answer;
  },
};
