"""The shipped netral-default bundle: schema, signatures, contents, and `serve` loading it."""

import copy
import json
import os
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

import shared_rules
from companion.rules.bundle import load_trusted_keys, read_bundle_files, verify_bundle
from companion.rules.matcher import Matcher
from companion.rules.normalize import normalize

SHARED = Path(shared_rules.__file__).resolve().parent
SOURCES = SHARED / "sources"
BUNDLE_PATH = SHARED / "netral-default.bundle.json"
BUNDLE = json.loads(BUNDLE_PATH.read_bytes())
VALIDATOR = Draft202012Validator(json.loads((SHARED / "schema.json").read_bytes()))
PARPOL_CSV = SHARED.parent.parent / "shared" / "data" / "parpol2024.csv"


def test_schema_accepts_the_default_bundle():
    VALIDATOR.validate(BUNDLE)


def _drop(key):
    return lambda b: b.pop(key)


BROKEN = {
    "wrong format": lambda b: b.update(format="netral-rules/2"),
    "no entities": _drop("entities"),
    "no pact": _drop("pact"),
    "version as text": lambda b: b.update(version="1"),
    "timestamp without offset": lambda b: b.update(expires_at="2029-12-31 23:59"),
    "unknown policy verdict": lambda b: b["policy"].update(like="ignore"),
    "unknown action": lambda b: b["policy"].update(retweet="warn"),
    "unknown entity kind": lambda b: b["entities"][0].update(kind="person"),
    "entity without name": lambda b: b["entities"][0].pop("name"),
    "unknown platform": lambda b: b["entities"][0]["accounts"].update(myspace=["x"]),
    "empty name": lambda b: b["entities"][0]["names"].append(""),
    "messages without id": lambda b: b["messages"].pop("id"),
}


@pytest.mark.parametrize("breakage", BROKEN.values(), ids=BROKEN.keys())
def test_schema_rejects_broken_variants(breakage):
    broken = copy.deepcopy(BUNDLE)
    breakage(broken)
    assert not VALIDATOR.is_valid(broken)


def test_the_shipped_signature_verifies_against_the_shipped_trusted_keys():
    raw, sig = read_bundle_files(BUNDLE_PATH)
    trusted = load_trusted_keys(SHARED / "trusted_keys.json")
    verified = verify_bundle(raw, sig, trusted, datetime.now(UTC))
    assert (verified.bundle_id, verified.signed_by) == ("netral-default", ("DEMO-netral-demo",))


def test_the_demo_key_is_labelled_demo_everywhere():
    keys = json.loads((SHARED / "trusted_keys.json").read_bytes())["keys"]
    assert [key["name"] for key in keys] == ["DEMO-netral-demo"]
    assert (SHARED / "keys" / "DEMO-netral-demo.key").is_file()
    assert "DEMO" in (SHARED / "keys" / "README.md").read_text(encoding="utf-8")
    assert "DEMO" in BUNDLE["issuer"]["name"]


def test_the_bundle_stays_valid_through_the_2029_cycle():
    assert BUNDLE["expires_at"] == "2029-12-31T23:59:59Z"
    assert set(BUNDLE["policy"].values()) == {"warn"}
    assert set(BUNDLE["policy"]) == {"like", "comment", "share", "post", "follow"}


def test_it_holds_the_three_pairs_their_teams_and_the_24_parties():
    kinds = [e["kind"] for e in BUNDLE["entities"]]
    assert kinds.count("candidate_pair") == 3
    assert kinds.count("campaign") == 3
    assert kinds.count("party") == 24
    pairs = {e["nomor_urut"]: e for e in BUNDLE["entities"] if e["kind"] == "candidate_pair"}
    assert "anies baswedan" in pairs[1]["names"] and "cak imin" in pairs[1]["names"]
    assert "prabowo subianto" in pairs[2]["names"] and "gibran" in pairs[2]["weak_names"]
    assert "mahfud md" in pairs[3]["names"] and "ganjar" in pairs[3]["weak_names"]
    refs = {ref["id"] for ref in BUNDLE["legal_refs"]}
    assert {
        "uu-20-2023",
        "uu-5-2014",
        "pp-94-2021",
        "pp-42-2004",
        "skb-2-2022",
        "uu-7-2017",
    } <= refs


def test_the_parties_are_the_kpu_list():
    import csv

    with PARPOL_CSV.open(encoding="utf-8", newline="") as handle:
        kpu = {(int(r["nomor_urut"]), int(r["id_partai"])) for r in csv.DictReader(handle)}
    ours = yaml.safe_load((SOURCES / "parties-2024.yaml").read_text(encoding="utf-8"))["parties"]
    assert {(p["nomor_urut"], p["id_partai"]) for p in ours} == kpu


def test_every_account_names_the_public_page_it_came_from():
    pairs = yaml.safe_load((SOURCES / "paslon-2024.yaml").read_text(encoding="utf-8"))
    parties = yaml.safe_load((SOURCES / "parties-2024.yaml").read_text(encoding="utf-8"))
    for src in pairs["candidate_pairs"] + pairs["campaign_teams"] + parties["parties"]:
        for platform, handles in (src.get("accounts") or {}).items():
            for handle in handles:
                source = (src.get("sources") or {}).get(f"{platform}/{handle}", "")
                assert source.startswith("http"), f"{platform}/{handle} has no source URL"


def test_weak_names_are_neither_strong_nor_nested_in_each_other():
    # A weak name inside another weak name of the same entity would confirm itself.
    for entity in BUNDLE["entities"]:
        strong = {normalize(n) for n in entity.get("names", [])}
        weak = [normalize(n) for n in entity.get("weak_names", [])]
        assert not strong & set(weak), entity["id"]
        for a in weak:
            for b in weak:
                assert a == b or f" {a} " not in f" {b} ", (entity["id"], a, b)


MATCHER = Matcher.from_bundle(BUNDLE)


def verdict(text="", **post):
    return MATCHER.match(platform="x", action="like", post={"text": text, **post}).verdict


def test_context_words_alone_never_match():
    assert verdict(" ".join(BUNDLE["context_words"])) == "allow"


@pytest.mark.parametrize(
    ("post", "expected"),
    [
        ({"author_handle": "Prabowo", "text": "Selamat pagi"}, "warn"),
        ({"text": "Mari dukung PR4BOWO!"}, "warn"),
        ({"text": "#DukungPrabowo sampai menang"}, "warn"),
        ({"text": "Kata Gibran, cinta itu memberi"}, "allow"),
        ({"text": "Gibran hadir, coblos nomor urut 2"}, "warn"),
        ({"text": "Aamiin, semoga lancar"}, "allow"),
        ({"author_handle": "prabowo_fans", "text": "Selamat pagi"}, "allow"),
        ({"text": "Sidang Umum PBB di New York"}, "allow"),
        ({"text": "Partai Bulan Bintang gelar muktamar"}, "warn"),
    ],
)
def test_the_spec_examples_hold_for_the_default_bundle(post, expected):
    assert verdict(**post) == expected


def test_serve_with_no_options_loads_netral_default(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NETRAL_", "XDG_"))}
    env.update(HOME=str(tmp_path), PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "companion", "serve", "--port", "0"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        line = ""
        while "listening on http://" not in line:
            line = process.stdout.readline()
            assert line or process.poll() is None, "serve exited before listening"
            assert time.monotonic() < deadline, "serve did not print its listening line in 60 s"
        base = line.split("listening on ", 1)[1].strip()
        token = next(tmp_path.rglob("token")).read_text(encoding="utf-8").strip()
        request = urllib.request.Request(
            f"{base}/v1/status", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            status = json.loads(response.read())
        assert status["rules"]["bundle_id"] == "netral-default"
        assert status["rules"]["entities"] == len(BUNDLE["entities"])
        assert status["rules"]["signed_by"] == ["DEMO-netral-demo"]
    finally:
        process.terminate()
        process.wait(timeout=10)
