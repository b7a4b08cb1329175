"""Builds the rule bundles of shared_rules/ from the readable sources, byte for byte reproducibly.

`netral-default` comes from `sources/` alone (2024 presidential pairs, campaign teams, the 24
parties, legal references, pact, messages, context words). `pemilu-2024-caleg` adds every
legislative candidate of the KPU's final lists as a weak name. An agency can add a region's
Pilkada pairs from a CSV (columns in `PILKADA_COLUMNS`, documented in shared_rules/README.md).
Nothing depends on the clock or the machine: the same inputs always give the same bytes, and
Ed25519 signatures are deterministic, so the `.sig` files are reproducible too.

    python -m shared_rules.generate                  # netral-default into shared_rules/, signed
    python -m shared_rules.generate --caleg --out dist/rules
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"
DEMO_KEY = HERE / "keys" / "DEMO-netral-demo.key"
REPO = HERE.parent
# The shared data directory sits next to the repository checkout (../shared/data).
DATA = REPO.parent / "shared" / "data"
CALEG_CSV = DATA / "caleg2024.csv.gz"

FORMAT = "netral-rules/1"
ACTIONS = ("like", "comment", "share", "post", "follow")
PLATFORMS = ("x", "facebook", "instagram", "tiktok", "youtube", "threads", "whatsapp", "*")

LEVELS = {
    "dpr": "Caleg DPR",
    "dpd": "Calon DPD",
    "dprdprov": "Caleg DPRD Provinsi",
    "dprdkk": "Caleg DPRD Kab/Kota",
}

PILKADA_COLUMNS = (
    "wilayah_kode",  # Kemendagri region code, e.g. 3273
    "wilayah",  # region name, e.g. Kota Bandung
    "jenis",  # gubernur | bupati | walikota
    "nomor_urut",  # ballot number
    "calon",  # head candidate as on the ballot (titles are stripped)
    "wakil",  # deputy candidate as on the ballot
    "partai_pengusung",  # nominating parties, separated by ;
    "nama_lain",  # extra strong names (pair nickname, slogan), separated by ;
    "nama_lemah",  # extra weak names (nicknames), separated by ;
    "tagar",  # hashtags without #, separated by ;
    "akun",  # platform:handle pairs, separated by ;
    "sumber",  # public source URL(s) for the accounts
)
PILKADA_JENIS = {"gubernur": "Pilgub", "bupati": "Pilbup", "walikota": "Pilwalkot"}


class SourceError(ValueError):
    """A source file is inconsistent; the message says which file and what to fix."""


# --- serialisation ---------------------------------------------------------------------------


def dumps(bundle: dict, *, compact: bool = False) -> bytes:
    """The bundle's bytes: sorted keys, fixed separators, UTF-8 unescaped, trailing newline."""
    if compact:
        text = json.dumps(bundle, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    else:
        text = json.dumps(bundle, ensure_ascii=False, sort_keys=True, indent=1)
    return (text + "\n").encode("utf-8")


# --- names -----------------------------------------------------------------------------------

# Titles written before a name on the DCT (religious, academic, professional, military, police).
_PREFIX_TITLES = frozenset(
    " ".join(
        (
            "h hj hi haji hajjah dr drs dra ir prof kh kyai tgk tgh teungku ust ustadz ustadzah",
            "drg drh apt ns pdt capt ec ny",
            "jenderal letjen mayjen brigjen laksamana laksdya laksda laksma",
            "marsekal marsdya marsda marsma kolonel kol letkol mayor kapten lettu letda inf mar",
            "komjen irjen kombes akbp kompol akp pol purn tni polri c",
        )
    ).split()
)
# Degrees written after a name without a comma: "S.Pd", "M.Si.", "A.Md", and the two-letter ones
# that look like initials ("S.E.", "M.M."), which are listed because "A.R." is an initial.
_DEGREE = re.compile(r"[A-Z][a-z]{0,3}\.(?:[A-Za-z]{1,5}\.?){1,4}")
_INITIALS = re.compile(r"(?:[A-Z]\.)+")
_SHORT_DEGREES = frozenset(
    "SE SH ST SP SS SM MM MH MT MA MP BA SPD SAG SIP SKM MSI MPD AMD".split()  # noqa: SIM905
)
_NICKNAME = re.compile(r"[A-Z][A-Z' ]*[A-Z]")
_PARENS = re.compile(r"\(([^)]*)\)")


def _title_key(token: str) -> str:
    return token.replace(".", "").casefold()


def _is_degree(token: str) -> bool:
    key = token.replace(".", "").upper()
    return key in _SHORT_DEGREES or (
        bool(_DEGREE.fullmatch(token)) and not _INITIALS.fullmatch(token)
    )


def clean_person_name(raw: str) -> tuple[str, list[str]]:
    """A ballot name without titles, and any nickname written in parentheses.

    "Dr. H. A. MUFAKHIR MUHAMMAD, M.A." -> ("A. MUFAKHIR MUHAMMAD", [])
    "RAHMAT RAZI AULIA (MC RAZI)"        -> ("RAHMAT RAZI AULIA", ["MC RAZI"])
    """
    nicknames = [
        inner.strip()
        for inner in _PARENS.findall(raw)
        if _NICKNAME.fullmatch(inner.strip()) and _title_key(inner) not in _PREFIX_TITLES
    ]
    tokens = _PARENS.sub(" ", raw).split()
    # Leading titles first: some ballots put a comma after them ("H, AGUS …", "Dr., Drs. DEDING").
    while len(tokens) > 1 and (
        _title_key(tokens[0].rstrip(",")) in _PREFIX_TITLES or not tokens[0].strip(",")
    ):
        tokens.pop(0)
    tokens = " ".join(tokens).split(",", 1)[0].split()
    if tokens and _title_key(tokens[0]) == "hm":  # "H.M." is Haji Muhammad: keep the M.
        tokens[0] = "M."
    while len(tokens) > 1 and _is_degree(tokens[-1]):
        tokens.pop()
    return " ".join(tokens).strip(" .,"), nicknames


def _unique(values: Iterable[str]) -> list[str]:
    """Casefolded, stripped, without duplicates, in first-seen order."""
    seen: dict[str, None] = {}
    for value in values:
        key = " ".join(str(value).casefold().split())
        if key:
            seen.setdefault(key, None)
    return list(seen)


def _accounts(raw: dict | None, where: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for platform, handles in sorted((raw or {}).items()):
        if platform not in PLATFORMS:
            raise SourceError(f"{where}: unknown platform {platform!r}; use one of {PLATFORMS}")
        out[platform] = _unique(h.lstrip("@") for h in handles)
    return out


# --- sources ---------------------------------------------------------------------------------


def _load_yaml(path: Path):
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError:
        raise SourceError(f"{path}: missing; restore it from the repository") from None


def _entity(src: dict, kind: str, legal_refs: list[str], **extra) -> dict:
    where = src.get("id", "?")
    entity = {
        "id": src["id"],
        "kind": kind,
        "name": src["name"],
        "names": _unique(src.get("names", [])),
        "weak_names": _unique(src.get("weak_names", [])),
        "hashtags": _unique(h.lstrip("#") for h in src.get("hashtags", [])),
        "accounts": _accounts(src.get("accounts"), where),
        "legal_refs": legal_refs,
    }
    if src.get("sources"):
        entity["sources"] = dict(sorted(src["sources"].items()))
    entity.update({k: v for k, v in extra.items() if v not in (None, "", [], {})})
    if not entity["names"] and not entity["hashtags"] and not entity["accounts"]:
        raise SourceError(f"{where}: an entity needs at least one strong name, hashtag or account")
    return entity


def default_bundle(src_dir: Path = SOURCES) -> dict:
    """The `netral-default` bundle as a dict, from the files in `src_dir`."""
    meta = _load_yaml(src_dir / "bundle.yaml")
    legal = _load_yaml(src_dir / "legal-refs.yaml")
    refs = meta["default_legal_refs"]
    known = {ref["id"] for ref in legal}
    if missing := sorted(set(refs) - known):
        raise SourceError(f"bundle.yaml: default_legal_refs {missing} are not in legal-refs.yaml")

    paslon = _load_yaml(src_dir / "paslon-2024.yaml")
    entities = [
        _entity(
            pair,
            "candidate_pair",
            refs,
            nomor_urut=pair.get("nomor_urut"),
            coalition=pair.get("coalition"),
        )
        for pair in paslon["candidate_pairs"]
    ]
    entities += [
        _entity(team, "campaign", refs, pair=team.get("pair"), note=team.get("note"))
        for team in paslon["campaign_teams"]
    ]
    for party in _load_yaml(src_dir / "parties-2024.yaml")["parties"]:
        party = {**party, "id": f"partai-2024-{party['nomor_urut']:02d}"}
        entities.append(
            _entity(
                party,
                "party",
                refs,
                abbr=party["abbr"],
                nomor_urut=party["nomor_urut"],
                id_partai=party["id_partai"],
            )
        )
    ids = [e["id"] for e in entities]
    if len(ids) != len(set(ids)):
        raise SourceError("entity ids are not unique; check paslon-2024.yaml and parties-2024.yaml")

    policy = meta["policy"]
    if set(policy) - set(ACTIONS) or set(policy.values()) - {"allow", "warn", "block"}:
        raise SourceError("bundle.yaml: policy maps each action to allow, warn or block")
    pact_text = (src_dir / meta["pact_file"]).read_text(encoding="utf-8")
    return {
        "format": FORMAT,
        "bundle_id": meta["bundle_id"],
        "version": int(meta["version"]),
        "issued_at": meta["issued_at"],
        "expires_at": meta["expires_at"],
        "issuer": meta["issuer"],
        "pact": {**meta["pact"], "text": pact_text},
        "legal_refs": [{k: v for k, v in ref.items() if k != "checked"} for ref in legal],
        # What an entity citing none cites (the legislative candidates, to keep that bundle small).
        "default_legal_refs": refs,
        "policy": policy,
        "messages": _load_yaml(src_dir / "messages.yaml"),
        "context_words": _unique(_load_yaml(src_dir / "context-words.yaml")),
        "entities": entities,
    }


def _provinces(src_dir: Path) -> dict[str, str]:
    with (src_dir / "provinsi.csv").open(encoding="utf-8", newline="") as handle:
        return {row["kode"]: row["nama"] for row in csv.DictReader(handle)}


def _party_names(src_dir: Path) -> dict[str, str]:
    parties = _load_yaml(src_dir / "parties-2024.yaml")["parties"]
    return {str(p["id_partai"]): p["abbr"] for p in parties}


def caleg_entities(caleg_csv: Path, src_dir: Path = SOURCES) -> list[dict]:
    """Every candidate of the DCT file as a `candidate` entity whose names are all weak.

    Kept lean because a bundle may be at most 64 MiB: no per-entity legal_refs (258k copies of the
    same list would cost ~27 MB), and the province and ballot number only in `name` and `id`.
    """
    provinces = _provinces(src_dir)
    parties = _party_names(src_dir)
    opener = gzip.open if caleg_csv.suffix == ".gz" else open
    entities = []
    with opener(caleg_csv, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            level, dapil, party_id = row["level"], row["kode_dapil"], row["id_partai"]
            name, nicknames = clean_person_name(row["nama"])
            party = parties.get(party_id) if party_id else None
            if party_id and party is None:
                raise SourceError(f"{caleg_csv}: id_partai {party_id} is not in parties-2024.yaml")
            district = f"dapil {dapil} {provinces.get(dapil[:2], '')}".strip()
            label = ", ".join(filter(None, [LEVELS[level], party and f"Partai {party}", district]))
            entity = {
                "id": f"caleg-{level}-{dapil}-{party_id or 'dpd'}-{int(row['nomor_urut']):02d}",
                "kind": "candidate",
                "name": f"{name} ({label})",
                "weak_names": _unique([name, *nicknames]),
                "level": level,
                "district": dapil,
            }
            if party:
                entity["party"] = party
            entities.append(entity)
    return entities


def _split(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split(";") if part.strip()]


def pilkada_entities(pilkada_csv: Path, refs: Sequence[str] = ()) -> list[dict]:
    """The candidate pairs of an agency-supplied Pilkada CSV (columns: PILKADA_COLUMNS)."""
    with pilkada_csv.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if missing := [c for c in PILKADA_COLUMNS if c not in (reader.fieldnames or [])]:
            raise SourceError(
                f"{pilkada_csv}: missing columns {missing}; see shared_rules/README.md"
            )
        entities = []
        for line, row in enumerate(reader, start=2):
            jenis = row["jenis"].strip().casefold()
            if jenis not in PILKADA_JENIS:
                raise SourceError(
                    f"{pilkada_csv}:{line}: jenis must be one of {sorted(PILKADA_JENIS)}"
                )
            number = int(row["nomor_urut"])
            election, region = PILKADA_JENIS[jenis], row["wilayah"].strip()
            calon, _ = clean_person_name(row["calon"])
            wakil, _ = clean_person_name(row["wakil"])
            full_names = [calon, wakil]
            accounts: dict[str, list[str]] = {}
            for item in _split(row["akun"]):
                platform, _, handle_ = item.partition(":")
                accounts.setdefault(platform.strip(), []).append(handle_.strip())
            src = {
                "id": f"pilkada-{row['wilayah_kode'].strip()}-{number:02d}",
                "name": f"{calon} – {wakil} (paslon {number:02d} {election} {region})",
                # A two-word full name is specific enough within one region; a one-word name is not.
                "names": [n for n in full_names if len(n.split()) > 1] + _split(row["nama_lain"]),
                "weak_names": [n for n in full_names if len(n.split()) == 1]
                + _split(row["nama_lemah"]),
                "hashtags": _split(row["tagar"]),
                "accounts": accounts,
            }
            if sources := _split(row["sumber"]):
                src["sources"] = {"akun": " ; ".join(sources)}
            entities.append(
                _entity(
                    src,
                    "candidate_pair",
                    list(refs),
                    region=region,
                    region_code=row["wilayah_kode"].strip(),
                    election=jenis,
                    nomor_urut=number,
                    party=_split(row["partai_pengusung"]),
                )
            )
    return entities


# --- build -----------------------------------------------------------------------------------


def write_bundle(data: bytes, path: Path, keys: Sequence[Path]) -> Path:
    """Write a bundle and sign it with each key; an unchanged bundle keeps its co-signatures."""
    sig = path.with_name(path.name + ".sig")
    if not (path.exists() and path.read_bytes() == data):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        sig.unlink(missing_ok=True)
    if keys:
        from companion.rules.keys import sign_bundle  # the companion owns the signing code

        for key in keys:
            sign_bundle(path, key)
    return path


def trusted_keys(keys: Sequence[Path]) -> dict:
    """A trusted_keys.json requiring all of `keys` (each KEY.key beside its KEY.pub.json)."""
    entries = []
    for key in keys:
        pub = Path(key).with_suffix(".pub.json")
        try:
            entries.append(json.loads(pub.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise SourceError(f"{pub}: missing; keygen writes it beside the key") from None
    return {"threshold": len(entries), "keys": entries}


def build_rules(
    out_dir: Path | None = None,
    *,
    caleg: bool = False,
    caleg_csv: Path = CALEG_CSV,
    pilkada: Sequence[Path] = (),
    src_dir: Path = SOURCES,
    keys: Sequence[Path] = (DEMO_KEY,),
) -> list[Path]:
    """Build (and sign with `keys`) netral-default and, with `caleg`, pemilu-2024-caleg.

    Without `out_dir` the default bundle goes to shared_rules/ (where the companion embeds it) and
    the large caleg bundle to dist/rules/. Pilkada CSVs add their pairs to every bundle built.
    With keys, a trusted_keys.json requiring all of them is written next to the default bundle.
    Returns the bundle paths written.
    """
    base = default_bundle(src_dir)
    refs = _load_yaml(src_dir / "bundle.yaml")["default_legal_refs"]
    for csv_path in pilkada:
        base["entities"] += pilkada_entities(Path(csv_path), refs)
    default_dir = Path(out_dir) if out_dir else HERE
    paths = [write_bundle(dumps(base), default_dir / f"{base['bundle_id']}.bundle.json", keys)]
    if keys:
        (default_dir / "trusted_keys.json").write_text(
            json.dumps(trusted_keys(keys), indent=2) + "\n", encoding="utf-8"
        )
    if caleg:
        meta = _load_yaml(src_dir / "bundle.yaml")["caleg_bundle"]
        full = {
            **base,
            "bundle_id": meta["bundle_id"],
            "version": int(meta["version"]),
            "issuer": {**base["issuer"], "name": meta["issuer_name"]},
            "entities": base["entities"] + caleg_entities(Path(caleg_csv), src_dir),
        }
        caleg_dir = Path(out_dir) if out_dir else REPO / "dist" / "rules"
        paths.append(
            write_bundle(
                dumps(full, compact=True), caleg_dir / f"{meta['bundle_id']}.bundle.json", keys
            )
        )
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m shared_rules.generate",
        description="Build and sign the Netral rule bundles from shared_rules/sources/.",
        epilog="Example: python -m shared_rules.generate --caleg --out dist/rules "
        "--key keys/agency-1.key --key keys/agency-2.key",
    )
    add = parser.add_argument
    add("--out", type=Path, help="output directory (default: shared_rules/; caleg: dist/rules/)")
    add(
        "--caleg",
        action="store_true",
        help="also build pemilu-2024-caleg (all legislative candidates)",
    )
    add("--caleg-csv", type=Path, default=CALEG_CSV, help="DCT file (default: ../shared/data/)")
    add("--pilkada", type=Path, action="append", default=[], help="Pilkada pairs CSV (repeatable)")
    add(
        "--sources",
        type=Path,
        default=SOURCES,
        help="source directory (default: shared_rules/sources)",
    )
    add("--key", type=Path, action="append", help="signing key (repeatable; default: the DEMO key)")
    add("--no-sign", action="store_true", help="write the bundles without signing them")
    args = parser.parse_args(argv)
    keys = [] if args.no_sign else (args.key or [DEMO_KEY])
    try:
        paths = build_rules(
            args.out,
            caleg=args.caleg,
            caleg_csv=args.caleg_csv,
            pilkada=args.pilkada,
            src_dir=args.sources,
            keys=keys,
        )
    except (SourceError, OSError, yaml.YAMLError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for path in paths:
        data = json.loads(path.read_bytes())
        count, signed = len(data["entities"]), "" if args.no_sign else ", signed"
        print(f"{path}: {data['bundle_id']} v{data['version']}, {count} entities{signed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
