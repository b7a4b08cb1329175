"""Acceptance per the updated contract: one meaning per byte sequence, versions in range, and a
compile helper that does not outlive its parent."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from companion.rules.bundle import MAX_VERSION, BundleRejected, parse_payload, verify_bundle

REPO = Path(__file__).resolve().parents[2]


def refused(raw: bytes) -> str:
    with pytest.raises(BundleRejected) as caught:
        parse_payload(raw)
    assert caught.value.reason == "malformed"
    return caught.value.detail


def test_a_duplicate_key_anywhere_is_malformed(kit) -> None:
    """Four places a key can repeat; each is refused naming the key."""
    text = json.dumps(kit.example(), ensure_ascii=False)
    cases = [
        text.replace('"version": 3', '"version": 3, "version": 9'),  # top level
        text.replace('"kind": "candidate_pair"', '"kind": "candidate_pair", "kind": "party"'),
        text.replace('{"share": "block"}', '{"share": "block", "share": "allow"}'),
        text.replace('"title": "Pakta Netralitas"', '"title": "A", "title": "B"'),
    ]
    for case, key in zip(cases, ("version", "kind", "share", "title"), strict=True):
        assert case != text
        detail = refused(case.encode())
        assert f"'{key}' appears twice" in detail, detail


def test_versions_outside_the_contracts_range_are_malformed_and_the_edges_pass(kit, key) -> None:
    for version in (MAX_VERSION + 1, 2**63, 2**64 + 5, -1):
        data = kit.example()
        data["version"] = version
        detail = refused(kit.encode(data))
        assert "version" in detail
    for version in (0, MAX_VERSION):
        data = kit.example()
        data["version"] = version
        raw = kit.encode(data)
        accepted = verify_bundle(raw, kit.sig_file(key.signature(raw)), kit.trusted([key]),
                                 kit.now)
        assert accepted.version == version


SCRIPT = """
import sys, time
from companion.rules.bundle import child_pool
pool = child_pool()
future = pool.submit(time.sleep, 120)
pid = next(iter(pool._processes))
print(pid, flush=True)
future.result()
"""


def test_a_compile_helper_dies_with_a_killed_parent() -> None:
    parent = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE,
                              cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    child = int(parent.stdout.readline())
    os.kill(child, 0)  # it runs
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        # A zombie re-parented to init is reaped by it; a live one keeps answering signal 0.
        if Path(f"/proc/{child}/stat").read_text().split(") ")[1].startswith("Z"):
            return
        time.sleep(0.1)
    os.kill(child, signal.SIGKILL)
    raise AssertionError("the compile helper outlived its killed parent")


@pytest.mark.parametrize(
    ("selectors", "where"),
    [
        ({"x": {"controls": {"like": [{"selector": "[data-testid='like'] >"}]}}},
         "selectors.x.controls.like[0].selector"),
        ({"instagram": {"post": {"container": "article:unknown-pseudo"}}},
         "selectors.instagram.post.container"),
        ({"facebook": {"controls": {"share": [{"labels": ["Bagikan"], "within": "[role=menu"
                                                                           "]]"}]}}},
         "selectors.facebook.controls.share[0].within"),
        ({"threads": {"composers": {"reply": {"textbox": "", "submitKeys": ["Enter"]}}}},
         "selectors.threads.composers.reply.textbox"),
        ({"youtube": {"composers": {"c": {"textbox": "textarea",
                                          "submit": [{"selector": "button::"}]}}}},
         "selectors.youtube.composers.c.submit[0].selector"),
        ({"tiktok": {"post": {"container": ["div", "div, , span"]}}},
         "selectors.tiktok.post.container[1]"),
    ],
)
def test_a_hot_fix_whose_selectors_do_not_parse_is_malformed(kit, selectors, where) -> None:
    """Six broken hot-fixes, one per place a selector can sit; each refused naming that place."""
    data = kit.example()
    data["selectors"] = selectors
    detail = refused(kit.encode(data))
    assert where in detail and "selector hot-fix is broken" in detail, detail


def test_a_hot_fix_in_selectors_level_4_is_accepted(kit) -> None:
    data = kit.example()
    data["selectors"] = {"facebook": {
        "post": {"container": ":is([role='main'], [role='dialog']) > div:has([aria-label]):not("
                              "[role='feed'], :has([role='feed']))"},
        "controls": {"like": [{"selector": "div[aria-label^='suka' i]", "labels": ["Suka"]}]},
    }}
    assert parse_payload(kit.encode(data))["selectors"] == data["selectors"]
