"""The platform registry (extension/platforms.json) against every copy of it: each test rebuilds
one copy from the registry and fails with a unified diff of what the file has and should have."""

from __future__ import annotations

import ast
import difflib
import fnmatch
import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXTENSION = REPO / "extension"
REGISTRY_FILE = "extension/platforms.json"
REGISTRY = json.loads((REPO / REGISTRY_FILE).read_text(encoding="utf-8"))
PLATFORMS = REGISTRY["platforms"]
KEYS = [platform["key"] for platform in PLATFORMS]
SITES = [platform for platform in PLATFORMS if not platform["opt_in"]]
OPT_IN = [platform for platform in PLATFORMS if platform["opt_in"]]
FIELDS = {"key", "name", "site", "matches", "run_at", "all_frames", "opt_in", "fixtures"}
COMPANION_HOST = "http://127.0.0.1/*"  # the companion on this device, not a platform
ANY_PLATFORM = "*"  # an entity's accounts on every platform
FIXTURES = REPO / "tests" / "e2e" / "fixtures"
UNROUTED_FIXTURES = {"hotfix"}  # test_hotfix serves it at Instagram's origin, in its own browser


def read(path: str) -> str:
    return (REPO / path).read_text(encoding="utf-8")


def dump(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def assert_same(where: str, actual: str, expected: str) -> None:
    """Fails with the unified diff that turns `actual` (the file) into `expected`."""
    if actual == expected:
        return
    diff = "".join(
        difflib.unified_diff(
            actual.splitlines(keepends=True),
            expected.splitlines(keepends=True),
            f"{where} (now)",
            f"{where} (from {REGISTRY_FILE})",
        )
    )
    pytest.fail(
        f"{where} does not match {REGISTRY_FILE}; change it as this diff says "
        f"(- is in the file, + is what the registry gives):\n{diff}",
        pytrace=False,
    )


def content_script(platform: dict) -> dict:
    scripts = REGISTRY["scripts"]
    return {
        "matches": platform["matches"],
        "js": [*scripts["before"], platform["site"], *scripts["after"]],
        "run_at": platform["run_at"],
        "all_frames": platform["all_frames"],
    }


def js_strings(path: str, name: str) -> list[str]:
    """The string items of `const NAME = [...]` in a JavaScript file."""
    found = re.search(rf"\bconst {name} = \[([^\]]*)\]", read(path))
    assert found, f"{path} no longer has `const {name} = [...]`; update tests/js/test_registry.py"
    return re.findall(r'"([^"]*)"', found.group(1))


def js_names(path: str, name: str) -> dict[str, str]:
    """The `key: "value"` items of `const NAME = {...}` in a JavaScript file."""
    found = re.search(rf"\bconst {name} = \{{([^}}]*)\}}", read(path))
    assert found, f"{path} no longer has `const {name} = {{...}}`; update tests/js/test_registry.py"
    return dict(re.findall(r'(\w+): "([^"]*)"', found.group(1)))


def listed(text: str, pattern: str, where: str) -> str:
    """The platform list that `pattern` (group `keys`) finds in a description."""
    found = re.search(pattern, text)
    assert found, f"{where} no longer names the platforms as {pattern!r}; update this test"
    return found.group("keys")


# ---------------------------------------------------------------- the registry itself


def test_registry_entries_are_complete_and_keys_are_identifiers():
    for platform in PLATFORMS:
        odd = sorted(set(platform) ^ FIELDS)
        assert not odd, f"{platform.get('key')}: missing or unknown fields {odd}"
        # The key is also a member name of the companion's Platform enum.
        assert re.fullmatch(r"[a-z][a-z0-9_]*", platform["key"]), platform["key"]
        assert platform["run_at"] in {"document_start", "document_end", "document_idle"}
        assert isinstance(platform["all_frames"], bool) and isinstance(platform["opt_in"], bool)
        assert platform["matches"] and platform["fixtures"] and platform["name"]
    assert len(set(KEYS)) == len(KEYS), "a platform key is listed twice"
    # The service worker registers the one opt-in platform: the generic adapter.
    assert len(OPT_IN) == 1, "background/service_worker.js registers exactly one opt-in platform"


def test_every_script_and_fixture_the_registry_names_exists():
    scripts = [*REGISTRY["scripts"]["before"], *REGISTRY["scripts"]["after"]]
    for path in scripts + [platform["site"] for platform in PLATFORMS]:
        assert (EXTENSION / path).is_file(), f"{REGISTRY_FILE} names a missing extension/{path}"
    for platform in PLATFORMS:
        for directory in platform["fixtures"].values():
            assert (FIXTURES / directory / "home.html").is_file(), f"no {directory}/home.html"


def test_every_site_file_and_fixture_is_in_the_registry():
    sites = {platform["site"] for platform in PLATFORMS}
    on_disk = {f"content/sites/{path.name}" for path in EXTENSION.glob("content/sites/*.js")}
    assert on_disk <= sites, f"site files {REGISTRY_FILE} lacks: {sorted(on_disk - sites)}"
    routed = {directory for platform in PLATFORMS for directory in platform["fixtures"].values()}
    dirs = {path.name for path in FIXTURES.iterdir() if path.is_dir()} - UNROUTED_FIXTURES
    assert dirs <= routed, f"fixture folders {REGISTRY_FILE} lacks: {sorted(dirs - routed)}"


def test_each_fixture_origin_runs_its_own_platform():
    for platform in PLATFORMS:
        for origin in platform["fixtures"]:
            url = origin + "/"
            owners = [p["key"] for p in SITES if any(fnmatch.fnmatch(url, m) for m in p["matches"])]
            if platform["opt_in"]:
                assert not owners, f"{origin} is a fixture of {platform['key']} but runs {owners}"
            else:
                assert owners == [platform["key"]], f"{origin}: the manifest runs {owners} there"


# ---------------------------------------------------------------- the copies


def manifest() -> tuple[str, str]:
    text = read("extension/manifest.json")
    current = json.loads(text)
    # The blocks' order means nothing to Chromium (their matches do not overlap): keep the file's,
    # a new site's block last.
    blocks = current.get("content_scripts", [])
    order = {site: i for i, block in enumerate(blocks) for site in block["js"]}
    sites = sorted(SITES, key=lambda platform: order.get(platform["site"], len(order)))
    hosts = [m for platform in [*sites, *OPT_IN] for m in platform["matches"]] + [COMPANION_HOST]
    expected = {
        **current,
        "host_permissions": list(dict.fromkeys(hosts)),
        "content_scripts": [content_script(platform) for platform in sites],
        # The warning's document is framed by the content script on every site it runs on.
        "web_accessible_resources": [
            {
                "resources": ["pages/warning.html"],
                "matches": list(dict.fromkeys(m for p in [*sites, *OPT_IN] for m in p["matches"])),
            }
        ],
    }
    return text, dump(expected)


def managed_schema() -> tuple[str, str]:
    where = "extension/managed_schema.json"
    field = json.loads(read(where))["properties"]["enabledPlatforms"]
    pattern = r"Platform keys to protect: (?P<keys>[^.]+)\. Default: all but (?P<off>[^.]+)\."
    found = re.search(pattern, field["description"])
    assert found, f"{where}: the enabledPlatforms description no longer matches {pattern!r}"
    view = {
        "enabledPlatforms.items.enum": field["items"]["enum"],
        "enabledPlatforms.description (keys)": found.group("keys"),
        "enabledPlatforms.description (default: all but)": found.group("off"),
    }
    expected = {
        "enabledPlatforms.items.enum": KEYS,
        "enabledPlatforms.description (keys)": ", ".join(KEYS),
        "enabledPlatforms.description (default: all but)": ", ".join(p["key"] for p in OPT_IN),
    }
    return dump(view), dump(expected)


def rules_schema() -> tuple[str, str]:
    where = "shared_rules/schema.json"
    schema = json.loads(read(where))
    selectors = schema["properties"]["selectors"]
    accounts = schema["$defs"]["entity"]["properties"]["accounts"]
    view = {
        "properties.selectors.propertyNames.enum": selectors["propertyNames"]["enum"],
        "properties.selectors.description (keys)": listed(
            selectors["description"], r"platform key \((?P<keys>[^)]+)\)", where
        ),
        "$defs.entity.properties.accounts.propertyNames.enum": accounts["propertyNames"]["enum"],
    }
    expected = {
        "properties.selectors.propertyNames.enum": KEYS,
        "properties.selectors.description (keys)": ", ".join(KEYS),
        # Accounts live on a named site; the opt-in generic adapter has none of its own.
        "$defs.entity.properties.accounts.propertyNames.enum": [p["key"] for p in SITES]
        + [ANY_PLATFORM],
    }
    return dump(view), dump(expected)


def companion_enum() -> tuple[str, str]:
    source = read("companion/routes/models.py")
    found = [
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.ClassDef) and node.name == "Platform"
    ]
    assert found, "companion/routes/models.py has no class Platform"
    members = "".join(f'    {key} = "{key}"\n' for key in KEYS)
    return ast.get_source_segment(source, found[0]) + "\n", f"class Platform(StrEnum):\n{members}"


def extension_defaults() -> tuple[str, str]:
    view = {
        "background/companion.js DEFAULT_PLATFORMS": js_strings(
            "extension/background/companion.js", "DEFAULT_PLATFORMS"
        ),
        "pages/common.js PLATFORMS": js_strings("extension/pages/common.js", "PLATFORMS"),
        "pages/common.js BRANDS": js_names("extension/pages/common.js", "BRANDS"),
    }
    expected = {
        "background/companion.js DEFAULT_PLATFORMS": [p["key"] for p in SITES],
        "pages/common.js PLATFORMS": KEYS,
        # Names written as __MSG_key__ are translated (common.js asks chrome.i18n for them).
        "pages/common.js BRANDS": {
            p["key"]: p["name"] for p in PLATFORMS if not p["name"].startswith("__MSG_")
        },
    }
    return dump(view), dump(expected)


COPIES = {
    "extension/manifest.json": manifest,
    "extension/managed_schema.json": managed_schema,
    "shared_rules/schema.json": rules_schema,
    "companion/routes/models.py Platform": companion_enum,
    "extension/background/companion.js, extension/pages/common.js": extension_defaults,
}


@pytest.mark.parametrize("where", COPIES)
def test_copy_matches_the_registry(where):
    assert_same(where, *COPIES[where]())


def test_messages_named_in_the_registry_exist():
    for lang in ("id", "en"):
        messages = json.loads(read(f"extension/_locales/{lang}/messages.json"))
        for platform in PLATFORMS:
            key = re.fullmatch(r"__MSG_(\w+)__", platform["name"])
            assert not key or key.group(1) in messages, f"{lang}: no message {key.group(1)}"


def load(path: str):
    """The module at `path` under a name of its own (`build` is also the tests/build folder)."""
    name = "registry_check_" + Path(path).stem
    spec = importlib.util.spec_from_file_location(name, REPO / path)
    module = sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_derived_lists_read_the_registry():
    """build.py, the rules generator and the e2e kit take their lists from the registry (or the
    rules schema, which shared_rules/ ships without the extension)."""
    build = load("build.py")
    generate = load("shared_rules/generate.py")
    testkit = load("tests/e2e/e2e_testkit.py")
    view = {
        "build.py PLATFORMS": list(build.PLATFORMS),
        "build.py DEFAULT_PLATFORMS": build.DEFAULT_PLATFORMS,
        "shared_rules/generate.py PLATFORMS": list(generate.PLATFORMS),
        "tests/e2e/e2e_testkit.py SITES": {
            origin: path.relative_to(REPO).as_posix() for origin, path in testkit.SITES.items()
        },
        "tests/e2e/e2e_testkit.py DEFAULT_PLATFORMS": testkit.DEFAULT_PLATFORMS,
    }
    expected = {
        "build.py PLATFORMS": KEYS,
        "build.py DEFAULT_PLATFORMS": ",".join(p["key"] for p in SITES),
        "shared_rules/generate.py PLATFORMS": [p["key"] for p in SITES] + [ANY_PLATFORM],
        "tests/e2e/e2e_testkit.py SITES": {
            origin: f"tests/e2e/fixtures/{directory}"
            for p in PLATFORMS
            for origin, directory in p["fixtures"].items()
        },
        "tests/e2e/e2e_testkit.py DEFAULT_PLATFORMS": [p["key"] for p in SITES],
    }
    where = "build.py, shared_rules/generate.py (from schema.json), tests/e2e/e2e_testkit.py"
    assert_same(where, dump(view), dump(expected))
