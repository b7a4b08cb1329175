// Starts the engine for the site file loaded just before this script, then applies the site's settings.
"use strict";

(() => {
  Netral.engine.start();
  document.documentElement.dataset.netralReady = "1";
  Netral.send("siteConfig", { platform: Netral.engine.platform })
    .then(({ enabled, selectors }) => {
      Netral.engine.setEnabled(enabled);
      Netral.engine.applyOverride(selectors);
    })
    .catch(() => { /* keep the built-in table; checks report their own failures */ });
})();
