"""The CSS selectors of a bundle's `selectors` hot-fix must parse (rules-bundle.md, step 3).

A selector that does not parse would make the extension's site table fail; the engine skips such a
rule and reports it (extension/content/core/table.js), but a signed bundle should not carry one at
all. cssselect2 reads Selectors Level 4 as browsers do (`:is()`, `:not()` and `:has()` with lists,
attribute flags) and refuses unknown pseudo-classes; what it accepts and Chromium still refuses
(`:has()` inside `:has()`) is left to the engine's own check.
"""

from __future__ import annotations

from typing import Any

from cssselect2 import compile_selector_list
from cssselect2.parser import SelectorError

# The keys of a site table whose values are CSS selectors (see the engine's table contract).
SELECTOR_KEYS = frozenset({"container", "selector", "within", "textbox", "form"})


def _problem(selector: Any, where: str) -> str | None:
    if not isinstance(selector, str) or not selector.strip():
        return f"{where} is not a selector string"
    try:
        compile_selector_list(selector)
    except (SelectorError, ValueError, TypeError) as error:
        return f"{where} {selector[:120]!r} does not parse ({error})"
    return None


def selector_problem(selectors: Any) -> str | None:
    """The first selector of a `selectors` hot-fix that does not parse, with its place; or None."""

    def walk(node: Any, where: str) -> str | None:
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            here = f"{where}.{key}" if isinstance(node, dict) else f"{where}[{key}]"
            if key in SELECTOR_KEYS and isinstance(value, str):
                problem = _problem(value, here)
            elif key in SELECTOR_KEYS and isinstance(value, list) and all(
                isinstance(v, str) for v in value
            ):
                problem = next(filter(None, (_problem(v, f"{here}[{i}]")
                                             for i, v in enumerate(value))), None)
            elif isinstance(value, (dict, list)):
                problem = walk(value, here)
            else:
                problem = None
            if problem:
                return problem
        return None

    return walk(selectors, "selectors") if isinstance(selectors, dict) else None
