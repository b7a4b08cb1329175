"""The shipped netral-default bundle: schema, signatures, contents, time, and `serve` loading it."""

import copy
import itertools
import json
import os
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
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
ELECTIONS = {election["id"]: election for election in BUNDLE["elections"]}
WIB = "+07:00"
CAMPAIGN = datetime.fromisoformat(f"2024-01-15T10:00:00{WIB}")  # Pemilu 2024 campaign period
TODAY = datetime.fromisoformat(f"2026-12-01T09:00:00{WIB}")  # the day this bundle was issued


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def running_stages(at: datetime) -> dict[str, str]:
    """Election id -> id of its stage running at `at` (the spec's half-open intervals)."""
    return {
        eid: stage["id"]
        for eid, election in ELECTIONS.items()
        for stage in election["stages"]
        if instant(stage["from"]) <= at < instant(stage["until"])
    }


def active_ids(at: datetime) -> set[str]:
    """The spec's rule for active entities, written out independently of the companion."""
    running = running_stages(at)
    return {
        e["id"]
        for e in BUNDLE["entities"]
        if (not e.get("elections") or any(eid in running for eid in e["elections"]))
        and ("active_from" not in e or instant(e["active_from"]) <= at)
        and ("active_until" not in e or at < instant(e["active_until"]))
    }


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
    "election without id": lambda b: b["elections"][0].pop("id"),
    "stage without until": lambda b: b["elections"][0]["stages"][0].pop("until"),
    "stage date without time": lambda b: b["elections"][0]["stages"][0].update(
        {"from": "2024-01-01"}
    ),
    "stage policy verdict unknown": lambda b: b["elections"][0]["stages"][0].update(
        policy={"share": "forbid"}
    ),
    "election name without id": lambda b: b["elections"][0].update(name={"en": "Election"}),
    "entity elections not a list": lambda b: b["entities"][0].update(elections="pemilu-2024"),
    "active_until without offset": lambda b: b["entities"][0].update(
        active_until="2024-02-11T00:00:00"
    ),
    "legal ref translation not a text": lambda b: b["legal_refs"][0]["i18n"]["en"].update(
        summary=3
    ),
    "pact translation title empty": lambda b: b["pact"]["i18n"]["en"].update(title=""),
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


def test_it_expires_within_twelve_months_and_before_pemilu_2029_can_start():
    issued, expires = instant(BUNDLE["issued_at"]), instant(BUNDLE["expires_at"])
    assert issued < expires <= issued + timedelta(days=365)
    # UU 7/2017 Pasal 167(6): stages start at the latest 20 months before voting; with voting in
    # early 2029 that is mid-2027 (sources/bundle.yaml says why 1 June 2027).
    assert expires <= instant(f"2027-06-14T00:00:00{WIB}")
    assert set(BUNDLE["policy"].values()) == {"warn"}
    assert set(BUNDLE["policy"]) == {"like", "comment", "share", "post", "follow"}


def test_the_elections_of_the_research_are_defined():
    assert list(ELECTIONS) == [
        "pemilu-2024",
        "pilkada-2024",
        "psu-pilkada-2025",
        "pilkada-ulang-2025-1901",
        "pilkada-ulang-2025-1971",
        "pemilu-2029",
    ]
    assert len(BUNDLE["elections"]) == len(ELECTIONS)  # ids are unique
    kinds = {eid: e["kind"] for eid, e in ELECTIONS.items()}
    assert (
        kinds["pilkada-ulang-2025-1901"] == "pilkada-ulang" and kinds["psu-pilkada-2025"] == "psu"
    )
    for election in BUNDLE["elections"]:
        assert election["name"]["id"] and election["name"]["en"], election["id"]
        for stage in election["stages"]:
            assert stage["name"]["id"] and stage["name"]["en"], (election["id"], stage["id"])
            assert stage["from"].endswith(WIB) and stage["until"].endswith(WIB)
    assert ELECTIONS["pemilu-2029"]["stages"] == []  # scheduled, dates not fixed by KPU


def test_stages_of_one_election_do_not_overlap_and_end_after_they_start():
    for election in BUNDLE["elections"]:
        spans = sorted((instant(s["from"]), instant(s["until"])) for s in election["stages"])
        assert all(start < end for start, end in spans), election["id"]
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert end <= start, election["id"]


@pytest.mark.parametrize(
    ("at", "running"),
    [
        ("2023-11-27T23:59:59", {"pemilu-2024": "penetapan-calon"}),
        ("2023-11-28T00:00:00", {"pemilu-2024": "kampanye"}),  # the campaign's first instant
        ("2024-02-10T23:59:59", {"pemilu-2024": "kampanye"}),  # its last day, 10 Feb 2024
        ("2024-02-11T00:00:00", {"pemilu-2024": "masa-tenang"}),
        ("2024-02-14T07:00:00", {"pemilu-2024": "pemungutan-rekapitulasi-sengketa"}),
        ("2024-10-19T12:00:00", {"pemilu-2024": "menuju-pelantikan", "pilkada-2024": "kampanye"}),
        ("2024-10-20T00:00:00", {"pilkada-2024": "kampanye"}),  # sworn in: Pemilu 2024 is over
        ("2024-11-27T08:00:00", {"pilkada-2024": "pemungutan-rekapitulasi"}),
        (
            "2025-02-24T10:00:00",
            {"pilkada-2024": "sengketa", "psu-pilkada-2025": "pemungutan-suara-ulang"},
        ),
        (
            "2025-08-09T23:59:59",
            {
                "psu-pilkada-2025": "pemungutan-suara-ulang",
                "pilkada-ulang-2025-1901": "kampanye",
                "pilkada-ulang-2025-1971": "kampanye",
            },
        ),
        (
            "2025-08-27T08:00:00",
            {
                "pilkada-ulang-2025-1901": "pemungutan-rekapitulasi",
                "pilkada-ulang-2025-1971": "pemungutan-rekapitulasi",
            },
        ),
        ("2025-09-12T00:00:00", {}),  # the last re-election's stages ended in September 2025
        ("2026-12-01T00:00:00", {}),
    ],
)
def test_the_stage_running_at_an_instant(at, running):
    assert running_stages(instant(at + WIB)) == running


def test_no_stage_runs_while_this_bundle_is_valid():
    issued, expires = instant(BUNDLE["issued_at"]), instant(BUNDLE["expires_at"])
    for election in BUNDLE["elections"]:
        for stage in election["stages"]:
            assert instant(stage["until"]) <= issued or instant(stage["from"]) >= expires
    assert active_ids(TODAY) == set()


def test_every_entity_belongs_to_a_defined_election():
    for entity in BUNDLE["entities"]:
        assert entity.get("elections"), entity["id"]
        assert set(entity["elections"]) <= set(ELECTIONS), entity["id"]


def test_the_2024_pairs_parties_and_teams_count_only_in_pemilu_2024_and_teams_end():
    for entity in BUNDLE["entities"]:
        assert entity["elections"] == ["pemilu-2024"], entity["id"]
    teams = {e["id"]: e for e in BUNDLE["entities"] if e["kind"] == "campaign"}
    assert teams["timnas-amin-2024"]["active_until"] == f"2024-05-01T00:00:00{WIB}"  # dissolved
    assert teams["tkn-prabowo-gibran-2024"]["active_until"] == f"2024-02-11T00:00:00{WIB}"
    assert teams["tpn-ganjar-mahfud-2024"]["active_until"] == f"2024-02-11T00:00:00{WIB}"
    assert active_ids(CAMPAIGN) == {e["id"] for e in BUNDLE["entities"]}
    # In the dispute stage TKN and TPN no longer count; Timnas AMIN does until its dissolution.
    after = active_ids(instant(f"2024-03-01T00:00:00{WIB}"))
    assert after == {e["id"] for e in BUNDLE["entities"]} - {
        "tkn-prabowo-gibran-2024",
        "tpn-ganjar-mahfud-2024",
    }
    # Parties count from the KPU decree that made them participants (Ummat two weeks later).
    assert "partai-2024-24" not in active_ids(instant(f"2022-12-20T00:00:00{WIB}"))
    assert "partai-2024-01" in active_ids(instant(f"2022-12-20T00:00:00{WIB}"))


def test_names_of_offices_held_since_the_inauguration_are_not_campaign_names():
    names = {n for e in BUNDLE["entities"] for n in e["names"] + e["weak_names"]}
    assert not {"wapres gibran", "mas wapres gibran", "presiden prabowo"} & names


def test_every_legal_ref_and_the_pact_have_an_english_translation_of_every_field():
    for ref in BUNDLE["legal_refs"]:
        fields = {k for k in ("title", "summary", "sanction") if ref.get(k)}
        assert fields == {"title", "summary", "sanction"}, ref["id"]
        assert set(ref["i18n"]["en"]) == fields, ref["id"]
        assert all(ref["i18n"]["en"][k] != ref[k] for k in fields), ref["id"]
        assert "checked" not in ref  # source notes stay in the YAML
    pact = BUNDLE["pact"]
    assert set(pact["i18n"]) == {"en"} and set(pact["i18n"]["en"]) == {"title", "text"}
    assert pact["i18n"]["en"]["text"] != pact["text"]
    assert pact["id"] == "pakta-netralitas-asn-2026"


def test_texts_send_reports_to_bkn_and_lapor_never_to_kasn():
    raw = BUNDLE_PATH.read_text(encoding="utf-8")
    assert "lapor.kasn.go.id" not in raw
    for text in (BUNDLE["pact"]["text"], BUNDLE["pact"]["i18n"]["en"]["text"]):
        assert "https://sbt.bkn.go.id" in text and "https://lapor.go.id" in text
        assert "PPPK" in text


def test_the_legal_refs_are_the_corrected_list():
    refs = {ref["id"]: ref for ref in BUNDLE["legal_refs"]}
    assert list(refs) == [
        "skb-2-2022",
        "uu-20-2023",
        "pp-94-2021",
        "pp-42-2004",
        "uu-7-2017",
        "uu-10-2016",
        "pengawasan-netralitas-2024",
    ]
    assert "1447.1/PM.01/K.1/09/2022" in refs["skb-2-2022"]["title"]
    assert "Ketua KASN" in refs["skb-2-2022"]["title"]
    assert "Pasal 521" in refs["uu-7-2017"]["title"] and "Pasal 188" in refs["uu-10-2016"]["title"]
    assert "PP 49/2018" in refs["pp-94-2021"]["summary"]
    assert "SE Menteri PANRB No. 4 Tahun 2024" in refs["pengawasan-netralitas-2024"]["title"]
    # Pilkada entities cite UU 10/2016 instead of UU 7/2017 (sources/elections.yaml).
    assert "uu-10-2016" not in BUNDLE["default_legal_refs"]
    assert "uu-7-2017" in BUNDLE["default_legal_refs"]


def test_messages_name_the_election_and_the_stage_and_no_participant_claim():
    assert set(BUNDLE["messages"]) == {"id", "en"}
    for lang, message in BUNDLE["messages"].items():
        text = message["title"] + message["body"]
        for placeholder in ("{entities}", "{action}", "{election}", "{stage}"):
            assert placeholder in text, (lang, placeholder)
        assert "peserta pemilu" not in text.casefold() and "SKB 2/2022" not in text


def test_it_holds_the_three_pairs_their_teams_and_the_24_parties():
    kinds = [e["kind"] for e in BUNDLE["entities"]]
    assert kinds.count("candidate_pair") == 3
    assert kinds.count("campaign") == 3
    assert kinds.count("party") == 24
    pairs = {e["nomor_urut"]: e for e in BUNDLE["entities"] if e["kind"] == "candidate_pair"}
    assert "anies baswedan" in pairs[1]["names"] and "cak imin" in pairs[1]["names"]
    assert "prabowo subianto" in pairs[2]["names"] and "gibran" in pairs[2]["weak_names"]
    assert "mahfud md" in pairs[3]["names"] and "ganjar" in pairs[3]["weak_names"]


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


def verdict(text="", at=CAMPAIGN, **post):
    return MATCHER.match(platform="x", action="like", post={"text": text, **post}, at=at).verdict


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
def test_the_spec_examples_hold_for_the_default_bundle_during_the_campaign(post, expected):
    assert verdict(**post) == expected


@pytest.mark.parametrize(
    "post",
    [
        {
            "author_handle": "prabowo",
            "text": "Program Makan Bergizi Gratis menjangkau 20 juta anak",
        },
        {"text": "Gibran hadir, coblos nomor urut 2"},
        {"author_handle": "cakiminow", "text": "Rapat koordinasi Kemenko PM"},
        {"text": "Rapat paripurna DPRD: Fraksi PKB dan Fraksi PKS menyampaikan pandangan"},
    ],
)
def test_the_same_posts_warn_during_the_campaign_and_not_today(post):
    assert verdict(**post) == "warn"
    assert verdict(**post, at=TODAY) == "allow"


@pytest.mark.parametrize(
    ("text", "entity", "weak"),
    [
        ("Ayo coblos 02!", "paslon-2024-02", "02"),
        ("coblos no 1 ya", "paslon-2024-01", "no 1"),
        ("Coblos nomor 3", "paslon-2024-03", "nomor 3"),
        ("coblos Gibran", "paslon-2024-02", "gibran"),
    ],
)
def test_a_coblos_slogan_is_a_weak_name_and_a_context_word_not_a_name(text, entity, weak):
    """Issue 13: "coblos 02" was labelled a name. It is the ballot number confirmed by "coblos"."""
    [match] = MATCHER.match(platform="x", action="like", post={"text": text}, at=CAMPAIGN).matches
    assert match.entity_id == entity
    signals = sorted((s.type, s.value) for s in match.signals)
    assert signals == [("context", "coblos"), ("weak_name", weak)]


def test_a_warning_names_the_election_and_the_stage():
    result = MATCHER.match(
        platform="x", action="share", post={"text": "Mari dukung PR4BOWO!"}, at=CAMPAIGN, lang="en"
    )
    assert result.message["title"] == "Wait a moment: 2024 General Election, Campaign period"
    assert "{" not in result.message["body"]


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
