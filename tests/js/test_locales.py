"""The extension's message catalogues: both languages complete, every key the code uses defined,
and the placeholders of each message the same in Indonesian and English."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

EXTENSION = Path(__file__).resolve().parents[2] / "extension"
LOCALES = EXTENSION / "_locales"
LANGS = ("id", "en")
KEY_PREFIXES = "warning|action|signal|popup|pact|history|pair|page"

# How code names a message: (pattern whose group 1 is the key, file globs to read).
USES = [
    (re.compile(r'data-i18n(?:-[a-z-]+)?\s*=\s*"([^"]+)"'), ("*.html", "*.js")),
    (re.compile(r"__MSG_(\w+)__"), ("*.json", "*.html", "*.js", "*.css")),
    (re.compile(r"getMessage\(\s*[\"'`]([^\"'`$]+)[\"'`]"), ("*.js",)),
    (re.compile(r"\bt\(\s*[\"']([A-Za-z0-9_@]+)[\"']"), ("*.js",)),
    (re.compile(r"\bi18n:\s*[\"']([A-Za-z0-9_]+)[\"']"), ("*.js",)),
    # Keys kept in tables (ACTION_KEYS, OUTCOME_KEYS, …) and passed on: any string named like a key.
    (re.compile(rf"[\"'`]((?:{KEY_PREFIXES})[A-Z]\w*)[\"'`]"), ("*.js",)),
]
PLACEHOLDER = re.compile(r"\$([A-Za-z0-9_]+)\$")


def no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    keys = [key for key, _ in pairs]
    duplicated = sorted({key for key in keys if keys.count(key) > 1})
    assert not duplicated, f"duplicate keys in a catalogue: {duplicated}"
    return dict(pairs)


def catalogue(lang: str) -> dict:
    text = (LOCALES / lang / "messages.json").read_text(encoding="utf-8")
    return json.loads(text, object_pairs_hook=no_duplicates)


@pytest.fixture(scope="module")
def catalogues() -> dict[str, dict]:
    return {lang: catalogue(lang) for lang in LANGS}


def used_keys() -> dict[str, set[str]]:
    """Every message key named in extension/ (outside the catalogues), with the files naming it."""
    found: dict[str, set[str]] = {}
    for pattern, globs in USES:
        for glob in globs:
            for path in EXTENSION.rglob(glob):
                if LOCALES in path.parents:
                    continue
                for match in pattern.finditer(path.read_text(encoding="utf-8")):
                    found.setdefault(match.group(1), set()).add(str(path.relative_to(EXTENSION)))
    return {key: files for key, files in found.items() if not key.startswith("@@")}


def test_manifest_default_locale_is_indonesian_and_both_catalogues_exist():
    manifest = json.loads((EXTENSION / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["default_locale"] == "id"
    assert {path.name for path in LOCALES.iterdir()} >= set(LANGS)


def test_both_catalogues_have_the_same_keys(catalogues):
    only_id = sorted(catalogues["id"].keys() - catalogues["en"].keys())
    only_en = sorted(catalogues["en"].keys() - catalogues["id"].keys())
    assert not only_id, f"missing from en: {only_id}"
    assert not only_en, f"missing from id: {only_en}"


def test_every_message_is_a_non_empty_string(catalogues):
    bad = [
        (lang, key)
        for lang, messages in catalogues.items()
        for key, entry in messages.items()
        if not isinstance(entry.get("message"), str) or not entry["message"].strip()
    ]
    assert not bad


def test_the_scan_finds_uses_in_every_kind_of_file():
    used = used_keys()
    # A known use per way of naming a key: a broken pattern cannot let the next test pass vacuously.
    for key, where in [
        ("extName", "manifest.json"),
        ("popupHeading", "pages/popup.html"),
        ("warningFrameTitle", "content/core/warning.js"),
        ("pairSubmit", "pages/pairing.js"),
        ("historyOutcomeProceeded", "pages/history.js"),
    ]:
        assert where in used.get(key, set()), (key, where)


def test_every_key_used_in_the_extension_is_in_both_catalogues(catalogues):
    missing = {
        f"{key} ({', '.join(sorted(files))})": absent
        for key, files in used_keys().items()
        if (absent := [lang for lang in LANGS if key not in catalogues[lang]])
    }
    assert not missing, f"keys used but not defined: {missing}"


def test_placeholders_are_defined_used_and_the_same_in_both_languages(catalogues):
    problems = []
    for key, entry_id in catalogues["id"].items():
        entries = {"id": entry_id, "en": catalogues["en"].get(key)}
        if entries["en"] is None:
            continue  # reported by the key test
        defined = {}
        for lang, entry in entries.items():
            placeholders = {
                name.lower(): spec.get("content")
                for name, spec in entry.get("placeholders", {}).items()
            }
            defined[lang] = placeholders
            used = {name.lower() for name in PLACEHOLDER.findall(entry["message"])}
            if undefined := sorted(used - placeholders.keys()):
                problems.append(f"{lang}/{key}: uses undefined placeholders {undefined}")
            if unused := sorted(placeholders.keys() - used):
                problems.append(f"{lang}/{key}: defines unused placeholders {unused}")
            for name, content in placeholders.items():
                if not re.fullmatch(r"\$[1-9]", str(content)):
                    problems.append(f"{lang}/{key}: placeholder {name} is {content!r}, not $1-$9")
        if defined["id"] != defined["en"]:
            problems.append(f"{key}: placeholders differ: id {defined['id']} en {defined['en']}")
    assert not problems, "\n".join(problems)
