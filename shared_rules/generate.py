"""Builds the rule bundles of shared_rules/ from the readable sources, byte for byte reproducibly.

`netral-default` comes from `sources/` alone (the elections and their stages, 2024 presidential
pairs, campaign teams, the 24 parties, legal references, pact, messages, context words).
`pemilu-2024-caleg` adds every legislative candidate of the KPU's final lists as a weak name. An
agency can add a region's Pilkada pairs from a CSV (columns in `PILKADA_COLUMNS`, documented in
shared_rules/README.md), tied to one election of elections.yaml. What the companion would refuse
as `malformed` (an unknown election id, overlapping stages) is refused here first, as a
SourceError naming the file. Nothing depends on the clock or the machine: the same inputs always
give the same bytes, and Ed25519 signatures are deterministic, so the `.sig` files are
reproducible too.

    python -m shared_rules.generate                  # netral-default into shared_rules/, signed
    python -m shared_rules.generate --caleg --out dist/rules
"""

from __future__ import annotations

import argparse
import csv
import gzip
import itertools
import json
import re
import sys
from collections.abc import Iterable, Sequence
from datetime import date, datetime
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
# The platforms an entity's accounts may name, as the schema lists them (checked against the
# extension's platform registry by tests/js/test_registry.py).
SCHEMA = json.loads((HERE / "schema.json").read_text(encoding="utf-8"))
PLATFORMS = tuple(SCHEMA["$defs"]["entity"]["properties"]["accounts"]["propertyNames"]["enum"])

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
# The election a Pilkada CSV's pairs belong to unless the command line names another.
PILKADA_ELECTION = "pilkada-2024"

ELECTION_KEYS = ("id", "kind", "name", "basis", "regions", "stages", "legal_refs")
STAGE_KEYS = ("id", "name", "from", "until", "policy")
# The schema's timestamp: RFC 3339 with an explicit offset.
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


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


def _timestamp(value, where: str) -> str:
    """An RFC 3339 timestamp with an offset, as text (YAML reads an unquoted one as a datetime)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.isoformat()
    if isinstance(value, date) or not isinstance(value, str) or not _TIMESTAMP.fullmatch(value):
        raise SourceError(
            f"{where}: {value!r} is not a timestamp; write date, time and offset in quotes, "
            'e.g. "2029-01-01T00:00:00+07:00"'
        )
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise SourceError(f"{where}: {value!r} is not a real date and time") from None
    return value


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _policy(raw, where: str) -> dict:
    if not isinstance(raw, dict) or set(raw) - set(ACTIONS):
        raise SourceError(f"{where}: policy maps actions {ACTIONS} to allow, warn or block")
    if set(raw.values()) - {"allow", "warn", "block"}:
        raise SourceError(f"{where}: policy maps each action to allow, warn or block")
    return raw


def _name(raw, where: str):
    """An election's or stage's name: a string, or per language with `id` (the fallback)."""
    if isinstance(raw, str) and raw.strip():
        return raw
    if (
        isinstance(raw, dict)
        and raw.get("id")
        and all(isinstance(v, str) and v.strip() for v in raw.values())
    ):
        return dict(sorted(raw.items()))
    raise SourceError(f"{where}: name is a text, or texts per language with `id` among them")


def _timing(src: dict, defaults: dict, where: str) -> dict:
    """An entity's `elections`, `active_from`, `active_until`: its own, else its file's."""
    timing = {}
    for key in ("elections", "active_from", "active_until"):
        value = src.get(key, defaults.get(key))
        if value in (None, []):
            continue
        if key == "elections":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise SourceError(f"{where}: elections is a list of election ids")
            timing[key] = list(dict.fromkeys(value))
        else:
            timing[key] = _timestamp(value, f"{where}: {key}")
    start, end = timing.get("active_from"), timing.get("active_until")
    if start and end and _instant(start) >= _instant(end):
        raise SourceError(f"{where}: active_until must be later than active_from")
    return timing


def _entity(src: dict, kind: str, legal_refs: list[str], defaults: dict | None = None, **extra):
    """A bundle entity; `defaults` are the file's `elections`/`active_from`/`active_until`."""
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
    entity.update(_timing(src, defaults or {}, where))
    entity.update({k: v for k, v in extra.items() if v not in (None, "", [], {})})
    if not entity["names"] and not entity["hashtags"] and not entity["accounts"]:
        raise SourceError(f"{where}: an entity needs at least one strong name, hashtag or account")
    return entity


def load_elections(src_dir: Path = SOURCES) -> tuple[list[dict], dict[str, list[str]]]:
    """The bundle's `elections` from elections.yaml, and the legal refs of each election.

    Refused here as in the companion: a duplicate election id, a stage that ends before it starts,
    and overlapping stages of one election (half-open intervals [from, until)).
    """
    default_refs = _load_yaml(src_dir / "bundle.yaml")["default_legal_refs"]
    refs_known = [ref["id"] for ref in _load_yaml(src_dir / "legal-refs.yaml")]
    where = src_dir / "elections.yaml"
    elections, refs = [], {}
    for raw in (_load_yaml(where) or {}).get("elections") or []:
        eid = raw.get("id")
        here = f"{where}: election {eid!r}"
        if not isinstance(eid, str) or not eid:
            raise SourceError(f"{where}: every election needs an `id`")
        if unknown := sorted(set(raw) - set(ELECTION_KEYS)):
            raise SourceError(f"{here}: unknown keys {unknown}; use {ELECTION_KEYS}")
        if eid in refs:
            raise SourceError(f"{here} is defined twice")
        own = raw.get("legal_refs") or default_refs
        if missing := sorted(set(own) - set(refs_known)):
            raise SourceError(f"{here}: legal_refs {missing} are not in legal-refs.yaml")
        refs[eid] = [r for r in refs_known if r in own]  # in the order of legal-refs.yaml
        election = {k: raw[k] for k in ("id", "kind", "basis") if raw.get(k) is not None}
        if "name" in raw:
            election["name"] = _name(raw["name"], here)
        if "regions" in raw:
            election["regions"] = [str(region) for region in raw["regions"]]
        stages = []
        for stage_raw in raw.get("stages") or []:
            sid = stage_raw.get("id")
            there = f"{here}, stage {sid!r}"
            if unknown := sorted(set(stage_raw) - set(STAGE_KEYS)):
                raise SourceError(f"{there}: unknown keys {unknown}; use {STAGE_KEYS}")
            if not isinstance(sid, str) or not sid or not {"from", "until"} <= set(stage_raw):
                raise SourceError(f"{there}: a stage needs `id`, `from` and `until`")
            stage = {
                "id": sid,
                "from": _timestamp(stage_raw["from"], f"{there}: from"),
                "until": _timestamp(stage_raw["until"], f"{there}: until"),
            }
            if _instant(stage["from"]) >= _instant(stage["until"]):
                raise SourceError(f"{there}: `until` must be later than `from`")
            if "name" in stage_raw:
                stage["name"] = _name(stage_raw["name"], there)
            if "policy" in stage_raw:
                stage["policy"] = _policy(stage_raw["policy"], there)
            stages.append(stage)
        ordered = sorted(stages, key=lambda s: _instant(s["from"]))
        for first, second in itertools.pairwise(ordered):
            if _instant(second["from"]) < _instant(first["until"]):
                raise SourceError(
                    f"{here}: stages {first['id']!r} and {second['id']!r} overlap; a stage is "
                    "[from, until), so the next one may start at the previous one's `until`"
                )
        ids = [s["id"] for s in stages]
        if len(ids) != len(set(ids)):
            raise SourceError(f"{here}: stage ids are not unique")
        election["stages"] = ordered
        elections.append(election)
    return elections, refs


def check_elections(bundle: dict) -> None:
    """Every election an entity names is defined in the bundle (SourceError otherwise)."""
    known = {election["id"] for election in bundle.get("elections") or ()}
    for entity in bundle["entities"]:
        if unknown := [e for e in entity.get("elections") or () if e not in known]:
            raise SourceError(
                f"entity {entity['id']!r} names election {unknown[0]!r}, which elections.yaml "
                f"does not define (defined: {sorted(known)})"
            )


def default_bundle(src_dir: Path = SOURCES) -> dict:
    """The `netral-default` bundle as a dict, from the files in `src_dir`."""
    meta = _load_yaml(src_dir / "bundle.yaml")
    legal = _load_yaml(src_dir / "legal-refs.yaml")
    refs = meta["default_legal_refs"]
    known = [ref["id"] for ref in legal]
    if missing := sorted(set(refs) - set(known)):
        raise SourceError(f"bundle.yaml: default_legal_refs {missing} are not in legal-refs.yaml")
    elections, election_refs = load_elections(src_dir)

    def entity(src: dict, kind: str, defaults: dict, **extra) -> dict:
        timing = _timing(src, defaults, src.get("id", "?"))
        cited = sorted(
            {r for e in timing.get("elections", ()) for r in election_refs.get(e, refs)},
            key=known.index,
        )
        return _entity(src, kind, cited or refs, defaults, **extra)

    # One file per election cycle: paslon-2024.yaml, parties-2024.yaml, later paslon-2029.yaml, …
    entities = []
    for path in sorted(src_dir.glob("paslon-*.yaml")):
        paslon = _load_yaml(path)
        entities += [
            entity(
                pair,
                "candidate_pair",
                paslon,
                nomor_urut=pair.get("nomor_urut"),
                coalition=pair.get("coalition"),
            )
            for pair in paslon.get("candidate_pairs") or []
        ]
        entities += [
            entity(team, "campaign", paslon, pair=team.get("pair"), note=team.get("note"))
            for team in paslon.get("campaign_teams") or []
        ]
    for path in sorted(src_dir.glob("parties-*.yaml")):
        parties, cycle = _load_yaml(path), path.stem.removeprefix("parties-")
        for party in parties.get("parties") or []:
            party = {**party, "id": f"partai-{cycle}-{party['nomor_urut']:02d}"}
            entities.append(
                entity(
                    party,
                    "party",
                    parties,
                    abbr=party.get("abbr"),
                    nomor_urut=party["nomor_urut"],
                    id_partai=party.get("id_partai"),
                )
            )
    ids = [e["id"] for e in entities]
    if duplicates := sorted({i for i in ids if ids.count(i) > 1}):
        raise SourceError(
            f"entity ids {duplicates} are not unique; check paslon-*.yaml, parties-*.yaml"
        )

    policy = _policy(meta["policy"], "bundle.yaml")
    pact_meta = meta["pact"]
    pact = {
        "id": pact_meta["id"],
        "title": pact_meta["title"],
        "text": _read_text(src_dir / pact_meta["file"]),
    }
    if pact_meta.get("i18n"):
        pact["i18n"] = {
            lang: {"title": tr["title"], "text": _read_text(src_dir / tr["file"])}
            for lang, tr in sorted(pact_meta["i18n"].items())
        }
    bundle = {
        "format": FORMAT,
        "bundle_id": meta["bundle_id"],
        "version": int(meta["version"]),
        "issued_at": _timestamp(meta["issued_at"], "bundle.yaml: issued_at"),
        "expires_at": _timestamp(meta["expires_at"], "bundle.yaml: expires_at"),
        "issuer": meta["issuer"],
        "pact": pact,
        "legal_refs": [{k: v for k, v in ref.items() if k != "checked"} for ref in legal],
        # What an entity citing none cites (the legislative candidates, to keep that bundle small).
        "default_legal_refs": refs,
        "policy": policy,
        "messages": _load_yaml(src_dir / "messages.yaml"),
        "context_words": _unique(_load_yaml(src_dir / "context-words.yaml")),
        "elections": elections,
        "entities": entities,
    }
    check_elections(bundle)
    return bundle


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(f"{path}: missing; restore it from the repository") from None


def _provinces(src_dir: Path) -> dict[str, str]:
    with (src_dir / "provinsi.csv").open(encoding="utf-8", newline="") as handle:
        return {row["kode"]: row["nama"] for row in csv.DictReader(handle)}


def _party_names(src_dir: Path) -> dict[str, str]:
    parties = _load_yaml(src_dir / "parties-2024.yaml")["parties"]
    return {str(p["id_partai"]): p["abbr"] for p in parties}


def caleg_entities(
    caleg_csv: Path, src_dir: Path = SOURCES, election: str = "pemilu-2024"
) -> list[dict]:
    """Every candidate of the DCT file as a `candidate` entity of `election`, all names weak.

    Kept lean because a bundle may be at most 64 MiB: no per-entity legal_refs (258k copies of the
    same list would cost ~27 MB; `default_legal_refs` applies), and the level, electoral district,
    province and ballot number only in `name` and `id` (`caleg-<level>-<dapil>-<party>-<number>`).
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
                "elections": [election],
            }
            if party:
                entity["party"] = party
            entities.append(entity)
    return entities


def _split(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split(";") if part.strip()]


def pilkada_entities(
    pilkada_csv: Path, refs: Sequence[str] = (), election: str | None = PILKADA_ELECTION
) -> list[dict]:
    """The candidate pairs of an agency-supplied Pilkada CSV (columns: PILKADA_COLUMNS), each an
    entity of `election` (None: always active, for a bundle without elections)."""
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
            contest, region = PILKADA_JENIS[jenis], row["wilayah"].strip()
            calon, _ = clean_person_name(row["calon"])
            wakil, _ = clean_person_name(row["wakil"])
            full_names = [calon, wakil]
            accounts: dict[str, list[str]] = {}
            for item in _split(row["akun"]):
                platform, _, handle_ = item.partition(":")
                accounts.setdefault(platform.strip(), []).append(handle_.strip())
            src = {
                "id": f"pilkada-{row['wilayah_kode'].strip()}-{number:02d}",
                "name": f"{calon} – {wakil} (paslon {number:02d} {contest} {region})",
                # A two-word full name is specific enough within one region; a one-word name is not.
                "names": [n for n in full_names if len(n.split()) > 1] + _split(row["nama_lain"]),
                "weak_names": [n for n in full_names if len(n.split()) == 1]
                + _split(row["nama_lemah"]),
                "hashtags": _split(row["tagar"]),
                "accounts": accounts,
            }
            if sources := _split(row["sumber"]):
                src["sources"] = {"akun": " ; ".join(sources)}
            if election:
                src["elections"] = [election]
            entities.append(
                _entity(
                    src,
                    "candidate_pair",
                    list(refs),
                    region=region,
                    region_code=row["wilayah_kode"].strip(),
                    contest=jenis,
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
    pilkada_election: str = PILKADA_ELECTION,
    src_dir: Path = SOURCES,
    keys: Sequence[Path] = (DEMO_KEY,),
) -> list[Path]:
    """Build (and sign with `keys`) netral-default and, with `caleg`, pemilu-2024-caleg.

    Without `out_dir` the default bundle goes to shared_rules/ (where the companion embeds it) and
    the large caleg bundle to dist/rules/. Pilkada CSVs add their pairs to every bundle built, as
    entities of `pilkada_election` citing that election's legal refs. With keys, a
    trusted_keys.json requiring all of them is written next to the default bundle.
    Returns the bundle paths written.
    """
    base = default_bundle(src_dir)
    if pilkada:
        _, election_refs = load_elections(src_dir)
        if pilkada_election not in election_refs:
            raise SourceError(
                f"--pilkada-election {pilkada_election!r} is not in elections.yaml; add it there "
                f"or name one of {sorted(election_refs)}"
            )
        for csv_path in pilkada:
            base["entities"] += pilkada_entities(
                Path(csv_path), election_refs[pilkada_election], pilkada_election
            )
        ids = [e["id"] for e in base["entities"]]
        if len(ids) != len(set(ids)):
            raise SourceError("Pilkada CSVs repeat an entity (same wilayah_kode and nomor_urut)")
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
            "entities": base["entities"]
            + caleg_entities(Path(caleg_csv), src_dir, meta.get("election", "pemilu-2024")),
        }
        check_elections(full)
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
        "--pilkada-election",
        default=PILKADA_ELECTION,
        metavar="ID",
        help=f"election (elections.yaml) of the Pilkada pairs (default: {PILKADA_ELECTION})",
    )
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
            pilkada_election=args.pilkada_election,
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
