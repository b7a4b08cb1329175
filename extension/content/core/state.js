// The engine's shared state: one object the core files read and write. Site hooks never see it; they get the
// context object of intent.js (the table, the last post, the post last acted on, helpers).
"use strict";

Netral.core = {
  state: {
    site: null, // the definition given to Netral.defineSite
    table: null, // the site's table with the bundle's hot-fix merged over it
    rules: null, // the compiled table (table.js)
    enabled: true,
    replaying: false, // true while a held action is performed, so it is not intercepted again
    swallowKeyup: null, // key whose trusted keyup belongs to a held keydown
    swallowClick: null, // {element, at}: the trusted click that belongs to a held pointerup (element null: any)
    heldPress: null, // {pointerId} of a press held at its pointerdown, until its release comes
    lastPost: null, // the post the user last pointed at, focused or acted on
    lastOpener: null, // the post whose control the user last pressed or hovered (menus, popovers)
    lastActionPost: {}, // action -> the post of the last intercepted action of that kind
  },
};
