"""shared_rules.generate: reproducible bytes and signatures, names, elections, Pilkada and DCT."""

import csv
import gzip
import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from companion.rules.bundle import load_trusted_keys, read_bundle_files, verify_bundle
from companion.rules.matcher import Matcher
from shared_rules import generate

SHARED = Path(generate.__file__).resolve().parent
VALIDATOR = Draft202012Validator(json.loads((SHARED / "schema.json").read_bytes()))
FIXTURES = Path(__file__).parent / "fixtures"
PILKADA_CSV = FIXTURES / "pilkada-contoh.csv"
PILKADA_CAMPAIGN = datetime.fromisoformat("2024-10-15T10:00:00+07:00")  # Pilkada 2024 campaign


@pytest.fixture
def sources(tmp_path) -> Path:
    """A copy of shared_rules/sources/ to break."""
    return Path(shutil.copytree(generate.SOURCES, tmp_path / "sources"))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_two_builds_give_identical_bytes_and_signatures(tmp_path):
    generate.build_rules(tmp_path / "a", pilkada=[PILKADA_CSV])
    generate.build_rules(tmp_path / "b", pilkada=[PILKADA_CSV])
    first = _files(tmp_path / "a")
    assert set(first) == {
        "netral-default.bundle.json",
        "netral-default.bundle.json.sig",
        "trusted_keys.json",
    }
    assert first == _files(tmp_path / "b")


def test_the_committed_bundle_is_what_the_sources_build(tmp_path):
    generate.build_rules(tmp_path)
    for name in (
        "netral-default.bundle.json",
        "netral-default.bundle.json.sig",
        "trusted_keys.json",
    ):
        assert (tmp_path / name).read_bytes() == (SHARED / name).read_bytes(), (
            f"{name} is stale: run `python -m shared_rules.generate` and commit the result"
        )


def test_output_is_sorted_utf8_with_a_trailing_newline():
    raw = (SHARED / "netral-default.bundle.json").read_bytes()
    assert raw.endswith(b"}\n") and "–".encode() in raw  # en dash kept, not \u2013
    data = json.loads(raw)
    assert list(data) == sorted(data)


def test_a_rebuild_keeps_a_cosigners_signature_when_nothing_changed(tmp_path):
    from companion.rules.keys import keygen, sign_bundle

    bundle = generate.build_rules(tmp_path)[0]
    second, _ = keygen("agency-test-2", tmp_path / "keys")
    sign_bundle(bundle, second)
    generate.build_rules(tmp_path)
    sig = json.loads(bundle.with_name(bundle.name + ".sig").read_bytes())
    assert len(sig["signatures"]) == 2


def test_signing_with_several_keys_writes_a_matching_threshold(tmp_path):
    from companion.rules.keys import keygen

    keys = [keygen(f"agency-test-{i}", tmp_path / "keys")[0] for i in (1, 2)]
    bundle = generate.build_rules(tmp_path / "out", keys=keys)[0]
    trusted = load_trusted_keys(tmp_path / "out" / "trusted_keys.json")
    assert trusted.threshold == 2
    raw, sig = read_bundle_files(bundle)
    verified = verify_bundle(raw, sig, trusted, datetime.now(UTC))
    assert sorted(verified.signed_by) == ["agency-test-1", "agency-test-2"]


@pytest.mark.parametrize(
    ("raw", "name", "nicknames"),
    [
        ("H. AKHYAR KAMIL, S.H.", "AKHYAR KAMIL", []),
        ("Dr. H. A. MUFAKHIR MUHAMMAD, M.A.", "A. MUFAKHIR MUHAMMAD", []),
        ("Tgk. AHMADA", "AHMADA", []),
        ("dr. IRSALINA HUSNA AZWIR, S.H., Sp.DV., CPM", "IRSALINA HUSNA AZWIR", []),
        ("Kombes. Pol. (Purn.) Dr. MARULI SIAHAAN, S.H., M.H.", "MARULI SIAHAAN", []),
        ("Hj. SITI AMINAH S.E.", "SITI AMINAH", []),
        ("AZHARI CAGE S.IP", "AZHARI CAGE", []),
        ("H.M. NASIR", "M. NASIR", []),
        ("Drs KH. MUHAIMIN", "MUHAIMIN", []),
        ("RAHMAT RAZI AULIA (MC RAZI)", "RAHMAT RAZI AULIA", ["MC RAZI"]),
        ("SAIFUL A.R.", "SAIFUL A.R", []),
        ("M. AMIR", "M. AMIR", []),
        ("H, AGUS MUHAMMAD SUTARMAN, S.E.", "AGUS MUHAMMAD SUTARMAN", []),  # comma after a title
        ("Dr., Drs. DEDING ISHAK, S.H., M.M.", "DEDING ISHAK", []),
        ("Hj. , SITI", "SITI", []),
    ],
)
def test_ballot_titles_are_stripped(raw, name, nicknames):
    assert generate.clean_person_name(raw) == (name, nicknames)


def test_a_pilkada_csv_adds_its_pairs(tmp_path):
    bundle_path = generate.build_rules(tmp_path, pilkada=[PILKADA_CSV])[0]
    bundle = json.loads(bundle_path.read_bytes())
    VALIDATOR.validate(bundle)
    pairs = {e["id"]: e for e in bundle["entities"] if e["id"].startswith("pilkada-")}
    first = pairs["pilkada-9999-01"]
    assert {tuple(e["elections"]) for e in pairs.values()} == {("pilkada-2024",)}
    # Pilkada pairs cite the Pilkada law, not the general-election law.
    assert "uu-10-2016" in first["legal_refs"] and "uu-7-2017" not in first["legal_refs"]
    assert (
        first["name"]
        == "SURYA DARMAWANGSA – LESTARI KEMBANGSARI (paslon 01 Pilbup Kabupaten Contoh)"
    )
    assert first["accounts"] == {"instagram": ["sulis.contoh"], "x": ["suryadarmawangsa_contoh"]}
    assert first["party"] == ["Partai Contoh A", "Partai Contoh B"]
    assert "andi" in pairs["pilkada-9999-02"]["weak_names"]  # one-word names are weak
    matcher = Matcher.from_bundle(bundle)

    def matched(text, at=PILKADA_CAMPAIGN):
        result = matcher.match(platform="facebook", action="share", post={"text": text}, at=at)
        return [m.entity_id for m in result.matches]

    assert matched("Surya Darmawangsa resmikan posko") == ["pilkada-9999-01"]
    assert matched("Andi jualan bakso di depan kantor") == []
    assert matched("Ayo coblos Andi di pilbup nanti") == ["pilkada-9999-02"]
    assert matched("Surya Darmawangsa resmikan posko", at=datetime.now(UTC)) == []  # it is over


def test_pilkada_pairs_go_to_the_election_named_on_the_command_line(tmp_path):
    path = generate.build_rules(
        tmp_path, pilkada=[PILKADA_CSV], pilkada_election="pilkada-ulang-2025-1971", keys=()
    )[0]
    entities = json.loads(path.read_bytes())["entities"]
    pairs = [e for e in entities if e["id"].startswith("pilkada-")]
    assert {tuple(e["elections"]) for e in pairs} == {("pilkada-ulang-2025-1971",)}
    with pytest.raises(generate.SourceError, match="pilkada-2031"):
        generate.build_rules(
            tmp_path, pilkada=[PILKADA_CSV], pilkada_election="pilkada-2031", keys=()
        )


def test_a_pilkada_csv_without_the_columns_is_refused(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("wilayah,calon\nKabupaten Contoh,Budi\n", encoding="utf-8")
    with pytest.raises(generate.SourceError, match="missing columns"):
        generate.pilkada_entities(bad)


def test_caleg_entities_carry_party_district_and_their_election(tmp_path):
    dct = tmp_path / "dct.csv.gz"
    with gzip.open(dct, "wt", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["level", "kode_dapil", "id_partai", "nomor_urut", "nama", "jenis_kelamin"])
        writer.writerow(["dpr", "3201", "10", "3", "Dr. H. BUDI CONTOH, S.E., M.M.", "L"])
        writer.writerow(["dpd", "11", "", "7", "Hj. SITI CONTOH", "P"])
    entities = generate.caleg_entities(dct)
    assert entities == [
        {
            "id": "caleg-dpr-3201-10-03",
            "kind": "candidate",
            "name": "BUDI CONTOH (Caleg DPR, Partai Gerindra, dapil 3201 Jawa Barat)",
            "weak_names": ["budi contoh"],
            "elections": ["pemilu-2024"],
            "party": "Gerindra",
        },
        {
            "id": "caleg-dpd-11-dpd-07",
            "kind": "candidate",
            "name": "SITI CONTOH (Calon DPD, dapil 11 Aceh)",
            "weak_names": ["siti contoh"],
            "elections": ["pemilu-2024"],
        },
    ]


def test_the_full_caleg_bundle_is_a_signed_superset_under_the_size_cap(tmp_path):
    default_path, caleg_path = generate.build_rules(tmp_path, caleg=True)
    size = caleg_path.stat().st_size
    print(f"\npemilu-2024-caleg: {size:,} bytes ({size / 2**20:.1f} MiB of the 64 MiB cap)")
    assert size < 64 * 1024 * 1024
    default = json.loads(default_path.read_bytes())
    caleg = json.loads(caleg_path.read_bytes())
    assert caleg["bundle_id"] == "pemilu-2024-caleg"
    assert caleg["elections"] == default["elections"]
    assert caleg["entities"][: len(default["entities"])] == default["entities"]
    candidates = caleg["entities"][len(default["entities"]) :]
    assert len(candidates) == 258_229
    assert all(not e.get("names") and e["weak_names"] for e in candidates)
    assert all(e["elections"] == ["pemilu-2024"] for e in candidates)
    raw, sig = read_bundle_files(caleg_path)
    trusted = load_trusted_keys(tmp_path / "trusted_keys.json")
    assert verify_bundle(raw, sig, trusted, datetime.now(UTC)).bundle_id == "pemilu-2024-caleg"


def test_the_default_bundle_carries_elections_translations_and_no_source_notes():
    bundle = generate.default_bundle()
    assert bundle["elections"][0]["id"] == "pemilu-2024"
    assert all("legal_refs" not in e for e in bundle["elections"])  # a source-only key
    assert all("checked" not in ref and ref["i18n"]["en"] for ref in bundle["legal_refs"])
    en = bundle["pact"]["i18n"]["en"]
    assert en["text"] == (generate.SOURCES / "pakta-integritas.en.md").read_text(encoding="utf-8")
    assert en["title"].startswith("Integrity Pact")


def test_overlapping_stages_are_refused_at_build_time(sources):
    # A quiet period starting a day early overlaps the campaign's last day.
    _edit(
        sources / "elections.yaml",
        'from: "2024-02-11T00:00:00+07:00"\n        until: "2024-02-14',
        'from: "2024-02-10T00:00:00+07:00"\n        until: "2024-02-14',
    )
    with pytest.raises(generate.SourceError, match="'kampanye' and 'masa-tenang' overlap"):
        generate.default_bundle(sources)


def test_a_stage_that_ends_before_it_starts_is_refused(sources):
    _edit(
        sources / "elections.yaml",
        'until: "2024-02-14T00:00:00+07:00"',
        'until: "2024-02-11T00:00:00+07:00"',
    )
    with pytest.raises(generate.SourceError, match=r"masa-tenang.*later than `from`"):
        generate.default_bundle(sources)


def test_an_entity_naming_an_unknown_election_is_refused(sources):
    _edit(sources / "parties-2024.yaml", "elections: [pemilu-2024]", "elections: [pemilu-2042]")
    with pytest.raises(generate.SourceError, match=r"partai-2024-01.*'pemilu-2042'"):
        generate.default_bundle(sources)


def test_a_duplicate_election_id_is_refused(sources):
    _edit(sources / "elections.yaml", "- id: pemilu-2029", "- id: pemilu-2024")
    with pytest.raises(generate.SourceError, match="'pemilu-2024' is defined twice"):
        generate.default_bundle(sources)


@pytest.mark.parametrize(
    ("written", "refused"),
    [
        ("start: 2022-06-14", r"unknown keys \['start'\]"),  # the research's draft naming
        ("from: 2022-06-14", "not a timestamp"),  # a date alone
        ('from: "2022-06-14T00:00:00"', "not a timestamp"),  # no offset
        ('from: "2022-06-31T00:00:00+07:00"', "not a real date"),
    ],
)
def test_stage_keys_and_timestamps_are_checked(sources, written, refused):
    _edit(sources / "elections.yaml", 'from: "2022-06-14T00:00:00+07:00"', written)
    with pytest.raises(generate.SourceError, match=refused):
        generate.default_bundle(sources)


def test_an_unquoted_timestamp_with_an_offset_is_written_as_text(sources):
    _edit(
        sources / "elections.yaml",
        'from: "2022-06-14T00:00:00+07:00"',
        "from: 2022-06-14T00:00:00+07:00",
    )
    stage = generate.default_bundle(sources)["elections"][0]["stages"][0]
    assert stage["from"] == "2022-06-14T00:00:00+07:00"


def test_a_stage_policy_is_emitted_and_checked(sources):
    _edit(
        sources / "elections.yaml",
        'from: "2023-11-28T00:00:00+07:00"',
        'policy: {share: block}\n        from: "2023-11-28T00:00:00+07:00"',
    )
    stages = generate.default_bundle(sources)["elections"][0]["stages"]
    assert [(s["id"], s["policy"]) for s in stages if "policy" in s] == [
        ("kampanye", {"share": "block"})
    ]
    _edit(
        sources / "elections.yaml",
        'policy: {share: block}\n        from: "2023-11-28',
        'policy: {share: forbid}\n        from: "2023-11-28',
    )
    with pytest.raises(generate.SourceError, match="allow, warn or block"):
        generate.default_bundle(sources)


def test_a_new_cycle_is_one_more_file_tied_to_its_election(sources):
    # The README's worked example: Pemilu 2029's parties in their own file.
    (sources / "parties-2029.yaml").write_text(
        "elections: [pemilu-2029]\n"
        'active_from: "2027-12-14T00:00:00+07:00"\n'
        "parties:\n"
        '  - {nomor_urut: 1, name: "Partai Contoh Raya", names: [partai contoh raya]}\n',
        encoding="utf-8",
    )
    entities = {e["id"]: e for e in generate.default_bundle(sources)["entities"]}
    new = entities["partai-2029-01"]
    assert (new["elections"], new["active_from"]) == (["pemilu-2029"], "2027-12-14T00:00:00+07:00")
    assert entities["partai-2024-01"]["elections"] == ["pemilu-2024"]


def test_the_cli_has_help_with_an_example_and_builds(tmp_path):
    run = [sys.executable, "-m", "shared_rules.generate"]
    help_text = subprocess.run([*run, "--help"], capture_output=True, text=True, check=True).stdout
    assert "Example:" in help_text
    done = subprocess.run(
        [*run, "--no-sign", "--out", str(tmp_path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "netral-default v" in done.stdout
    bad = subprocess.run(
        [*run, "--no-sign", "--out", str(tmp_path), "--pilkada", str(tmp_path / "none.csv")],
        capture_output=True,
        text=True,
    )
    assert (
        bad.returncode == 1 and bad.stderr.startswith("error: ") and "Traceback" not in bad.stderr
    )
