"""shared_rules.generate: reproducible bytes and signatures, names, Pilkada and DCT input."""

import csv
import gzip
import json
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
    assert (
        first["name"]
        == "SURYA DARMAWANGSA – LESTARI KEMBANGSARI (paslon 01 Pilbup Kabupaten Contoh)"
    )
    assert first["accounts"] == {"instagram": ["sulis.contoh"], "x": ["suryadarmawangsa_contoh"]}
    assert first["party"] == ["Partai Contoh A", "Partai Contoh B"]
    assert "andi" in pairs["pilkada-9999-02"]["weak_names"]  # one-word names are weak
    matcher = Matcher.from_bundle(bundle)

    def matched(text):
        result = matcher.match(platform="facebook", action="share", post={"text": text})
        return [m.entity_id for m in result.matches]

    assert matched("Surya Darmawangsa resmikan posko") == ["pilkada-9999-01"]
    assert matched("Andi jualan bakso di depan kantor") == []
    assert matched("Ayo coblos Andi di pilbup nanti") == ["pilkada-9999-02"]


def test_a_pilkada_csv_without_the_columns_is_refused(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("wilayah,calon\nKabupaten Contoh,Budi\n", encoding="utf-8")
    with pytest.raises(generate.SourceError, match="missing columns"):
        generate.pilkada_entities(bad)


def test_caleg_entities_carry_party_and_district(tmp_path):
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
            "level": "dpr",
            "district": "3201",
            "party": "Gerindra",
        },
        {
            "id": "caleg-dpd-11-dpd-07",
            "kind": "candidate",
            "name": "SITI CONTOH (Calon DPD, dapil 11 Aceh)",
            "weak_names": ["siti contoh"],
            "level": "dpd",
            "district": "11",
        },
    ]


def test_the_full_caleg_bundle_is_a_signed_superset_under_the_size_cap(tmp_path):
    default_path, caleg_path = generate.build_rules(tmp_path, caleg=True)
    assert caleg_path.stat().st_size < 64 * 1024 * 1024
    default = json.loads(default_path.read_bytes())
    caleg = json.loads(caleg_path.read_bytes())
    assert caleg["bundle_id"] == "pemilu-2024-caleg"
    assert caleg["entities"][: len(default["entities"])] == default["entities"]
    candidates = caleg["entities"][len(default["entities"]) :]
    assert len(candidates) == 258_229
    assert all(not e.get("names") and e["weak_names"] for e in candidates)
    raw, sig = read_bundle_files(caleg_path)
    trusted = load_trusted_keys(tmp_path / "trusted_keys.json")
    assert verify_bundle(raw, sig, trusted, datetime.now(UTC)).bundle_id == "pemilu-2024-caleg"


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
