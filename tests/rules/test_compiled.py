"""The compiled form of a bundle: serialisation, the on-disk cache, compiling in a child process."""

import copy
import hashlib

import pytest

from companion.rules import bundle as bundle_module
from companion.rules.bundle import BundleRejected, verify_bundle
from companion.rules.compiled import CompiledCache, compile_payload, dumps, loads
from companion.rules.manager import RulesManager
from companion.rules.matcher import Matcher

POSTS = [
    {"author_handle": "Prabowo", "text": "Selamat pagi"},
    {"text": "Mari dukung PR4BOWO!"},
    {"text": "#DukungPrabowo sampai menang"},
    {"text": "Gibran hadir, coblos nomor urut 2"},
    {"text": "Kata Gibran, cinta itu memberi"},
    {"text": "Aamiin, semoga lancar"},
]


def results(matcher: Matcher) -> list:
    return [
        matcher.match(platform="x", action=action, post=post, lang=lang)
        for post in POSTS
        for action in ("like", "share")
        for lang in ("id", "en")
    ]


def test_serialisation_round_trip_matches_the_same(example) -> None:
    compiled = compile_payload(example())
    again = loads(dumps(compiled))
    assert results(Matcher(again)) == results(Matcher(compiled))
    assert again.entity_count == compiled.entity_count
    assert [again.entity(e) for e in range(again.entity_count)] == [
        compiled.entity(e) for e in range(compiled.entity_count)
    ]


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b"", id="empty"),
        pytest.param(lambda b: b"PICKLE!!" + b[8:], id="wrong-magic"),
        pytest.param(lambda b: b[:-1], id="truncated"),
        pytest.param(lambda b: b + b"\0", id="trailing-byte"),
        pytest.param(lambda b: b[:16] + b"x" + b[17:], id="broken-header"),
    ],
)
def test_damaged_serialisation_is_refused(example, damage) -> None:
    with pytest.raises(ValueError):
        loads(damage(dumps(compile_payload(example()))))


def test_a_cached_bundle_is_not_parsed_again(kit, key, monkeypatch) -> None:
    raw = kit.encode(kit.example())
    sig = kit.sig_file(key.signature(raw))
    cache = CompiledCache(kit.tmp_path / "cache")
    first = verify_bundle(raw, sig, kit.trusted([key]), kit.now, cache)
    assert len(list(cache.directory.glob("*.compiled"))) == 1

    def no_parse(raw: bytes):
        raise AssertionError("parsed although cached")

    monkeypatch.setattr("companion.rules.bundle.compile_verified", no_parse)
    second = verify_bundle(raw, sig, kit.trusted([key]), kit.now, cache)
    assert second.sha256 == first.sha256
    assert results(Matcher(second.compiled)) == results(Matcher(first.compiled))


def test_the_cache_never_replaces_the_signature_check(kit, key) -> None:
    raw = kit.encode(kit.example())
    cache = CompiledCache(kit.tmp_path / "cache")
    verify_bundle(raw, kit.sig_file(key.signature(raw)), kit.trusted([key]), kit.now, cache)
    with pytest.raises(BundleRejected) as caught:
        verify_bundle(raw, kit.sig_file(), kit.trusted([key]), kit.now, cache)
    assert caught.value.reason == "bad_signature"


def test_a_damaged_cache_file_is_rebuilt(kit, key) -> None:
    raw = kit.encode(kit.example())
    sig = kit.sig_file(key.signature(raw))
    cache = CompiledCache(kit.tmp_path / "cache")
    verify_bundle(raw, sig, kit.trusted([key]), kit.now, cache)
    (cached,) = cache.directory.glob("*.compiled")
    cached.write_bytes(cached.read_bytes()[:100])
    bundle = verify_bundle(raw, sig, kit.trusted([key]), kit.now, cache)
    assert bundle.entity_count == len(kit.example()["entities"])
    assert loads(cached.read_bytes()).entity_count == bundle.entity_count


def test_an_unwritable_cache_costs_only_speed(kit, key) -> None:
    blocker = kit.tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be")
    raw = kit.encode(kit.example())
    bundle = verify_bundle(
        raw, kit.sig_file(key.signature(raw)), kit.trusted([key]), kit.now, CompiledCache(blocker)
    )
    assert bundle.version == 3


def test_the_cache_keeps_only_the_newest_files(kit, key) -> None:
    cache = CompiledCache(kit.tmp_path / "cache")
    for version in range(CompiledCache.KEEP + 3):
        data = kit.example()
        data["version"] = version
        raw = kit.encode(data)
        verify_bundle(raw, kit.sig_file(key.signature(raw)), kit.trusted([key]), kit.now, cache)
    assert len(list(cache.directory.glob("*.compiled"))) == CompiledCache.KEEP


def test_large_bundles_compile_in_a_child_process(kit, key, monkeypatch) -> None:
    monkeypatch.setattr(bundle_module, "CHILD_THRESHOLD", 0)
    raw = kit.encode(kit.example())
    bundle = verify_bundle(raw, kit.sig_file(key.signature(raw)), kit.trusted([key]), kit.now)
    assert results(Matcher(bundle.compiled)) == results(Matcher.from_bundle(kit.example()))

    broken = kit.example()
    broken["entities"][0]["kind"] = "person"
    raw = kit.encode(broken)
    with pytest.raises(BundleRejected) as caught:
        verify_bundle(raw, kit.sig_file(key.signature(raw)), kit.trusted([key]), kit.now)
    assert caught.value.reason == "malformed"
    assert "entities/0/kind" in caught.value.detail


def test_nested_weak_names_of_one_entity_are_one_mention(example) -> None:
    bundle = copy.deepcopy(example())
    bundle["entities"] = [
        {"id": "p", "kind": "party", "name": "Partai Demokrat",
         "weak_names": ["partai demokrat", "demokrat", "pd"]},
    ]
    bundle["context_words"] = []
    matcher = Matcher.from_bundle(bundle)

    def verdict(text: str) -> str:
        return matcher.match(platform="x", action="like", post={"text": text}).verdict

    assert verdict("rapat partai demokrat hari ini") == "allow"  # one place, two overlapping names
    assert verdict("demokrat dan partai demokrat") == "warn"  # two places
    assert verdict("PD: partai demokrat") == "warn"


def test_entities_without_legal_refs_fall_under_the_bundle_defaults(example) -> None:
    bundle = copy.deepcopy(example())
    bundle["default_legal_refs"] = ["skb-2-2022"]
    bundle["entities"] = [
        {"id": "c", "kind": "candidate", "name": "Budi", "names": ["budi santoso"]}
    ]
    result = Matcher.from_bundle(bundle).match(
        platform="x", action="like", post={"text": "budi santoso"}
    )
    assert [ref["id"] for ref in result.legal_refs] == ["skb-2-2022"]
    del bundle["default_legal_refs"]
    result = Matcher.from_bundle(bundle).match(
        platform="x", action="like", post={"text": "budi santoso"}
    )
    assert [ref["id"] for ref in result.legal_refs] == ["uu-5-2014", "skb-2-2022"]


def test_acceptance_imports_the_tables_and_never_the_other_way() -> None:
    """compiled.py is pure tables: it imports nothing of acceptance, at any depth of its own."""
    import ast
    from pathlib import Path

    rules = Path(bundle_module.__file__).parent

    def imports(module: str) -> set[str]:
        tree = ast.parse((rules / f"{module}.py").read_text(encoding="utf-8"))
        found = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names}
        found |= {node.module for node in ast.walk(tree)
                  if isinstance(node, ast.ImportFrom) and node.module}
        return {name.rsplit(".", 1)[-1] for name in found if name.startswith("companion.rules")}

    assert imports("compiled") <= {"normalize"}
    assert "compiled" in imports("bundle")


def test_an_early_compile_is_taken_over_after_the_signature_check(kit, key, monkeypatch) -> None:
    monkeypatch.setattr(bundle_module, "CHILD_THRESHOLD", 0)  # the example takes the child path
    raw = kit.encode(kit.example())
    sig = kit.sig_file(key.signature(raw))
    trusted = kit.trusted([key])
    bundle_module.compile_early(raw, sig, kit.tmp_path / "trusted_keys.json")
    assert len(bundle_module._early) == 1
    verified = verify_bundle(raw, sig, trusted, kit.now)
    assert not bundle_module._early
    assert results(Matcher(verified.compiled)) == results(Matcher(compile_payload(kit.example())))


def test_an_early_compile_reads_the_file_and_never_serves_other_bytes(kit, key, monkeypatch):
    """The child reads the bundle file itself. Its tables are taken over when it read the bytes
    acceptance verified; when the file was replaced in between (by another version, or
    removed), they are not, and the verified bytes are compiled again: 3 cases."""
    monkeypatch.setattr(bundle_module, "CHILD_THRESHOLD", 0)
    trusted = kit.trusted([key])
    raw = kit.encode(kit.example())
    sig = kit.sig_file(key.signature(raw))
    other_raw = kit.encode({**kit.example(), "version": 4})
    assert other_raw != raw
    expected = results(Matcher(compile_payload(kit.example())))
    path = kit.tmp_path / "b.bundle.json"
    for replace in (None, other_raw, b""):
        # The file as the child finds it, after the companion read `raw` from it.
        path.write_bytes(raw if replace is None else replace)
        if replace == b"":
            path.unlink()
        bundle_module.compile_early(raw, sig, kit.tmp_path / "trusted_keys.json", path)
        started: list[int] = []
        monkeypatch.setattr(bundle_module, "child_pool",
                            lambda real=bundle_module.child_pool, seen=started: (
                                seen.append(1) or real()))
        verified = verify_bundle(raw, sig, trusted, kit.now)
        assert not bundle_module._early
        assert results(Matcher(verified.compiled)) == expected
        # Only a replaced file makes acceptance compile again (in a child of its own).
        assert len(started) == (replace is not None), replace
        monkeypatch.undo()
        monkeypatch.setattr(bundle_module, "CHILD_THRESHOLD", 0)


def test_an_early_compile_of_unsigned_bytes_is_never_used(kit, key, monkeypatch) -> None:
    monkeypatch.setattr(bundle_module, "CHILD_THRESHOLD", 0)
    raw = kit.encode(kit.example())
    trusted = kit.trusted([key])
    bundle_module.compile_early(raw, kit.sig_file(), kit.tmp_path / "trusted_keys.json")
    with pytest.raises(BundleRejected) as caught:
        verify_bundle(raw, kit.sig_file(), trusted, kit.now)
    assert caught.value.reason == "bad_signature"
    bundle_module.discard_early()
    assert not bundle_module._early


def test_the_child_checks_signatures_before_it_parses(kit, key, monkeypatch) -> None:
    raw = kit.encode(kit.example())
    kit.trusted([key])

    def no_parse(raw: bytes):
        raise AssertionError("parsed before the signatures were checked")

    monkeypatch.setattr(bundle_module, "compile_raw", no_parse)
    read, answer = bundle_module._compile_signed(raw, kit.sig_file(),
                                                 kit.tmp_path / "trusted_keys.json", kit.now)
    assert read == hashlib.sha256(raw).hexdigest()
    assert answer[0] == "bad_signature"


def test_column_wise_compile_keeps_first_use_order(example) -> None:
    """Policies, references and windows are numbered in entity order, as the matcher expects."""
    payload = example()
    compiled = compile_payload(payload)
    again = compile_payload(copy.deepcopy(payload))
    assert dumps(compiled) == dumps(again)
    assert compiled.entity_levels[0] == 0 and compiled.entity_refs[0] == 0


def test_patterns_keep_the_order_of_first_use_and_every_spelling() -> None:
    """One phrase spelled four ways by three entities, as a name and as a weak name: the phrase is
    one pattern, first in the order of use; its spelling is the first name's; each entity whose
    own spelling differs keeps it; context words come last, each once."""
    entities = [
        {"id": "a", "kind": "candidate", "name": "A", "weak_names": ["Budi", "siti"]},
        {"id": "b", "kind": "candidate", "name": "B", "names": ["BUDI"], "weak_names": ["budi"]},
        {"id": "c", "kind": "candidate", "name": "C", "names": ["budi", "Budi Santoso"]},
    ]
    context_words = ["Coblos", "siti", "coblos"]
    compiled = compile_payload({"entities": entities, "context_words": context_words})
    phrases = compiled.phrase_list()
    assert phrases == ["budi", "budi santoso", "siti", "coblos"]
    budi = phrases.index("budi")
    assert compiled.spellings == {budi: "BUDI", 1: "Budi Santoso", 3: "Coblos"}
    assert list(compiled.name_entities[compiled.name_offsets[0]:compiled.name_offsets[1]]) == [1, 2]
    assert list(compiled.weak_entities[compiled.weak_offsets[0]:compiled.weak_offsets[1]]) == [0, 1]
    # c spells it "budi" as a name; a spells it "Budi", b "budi" as weak names.
    assert compiled.entity_spellings == {"0,2": "budi", "0,0": "Budi", "0,1": "budi"}
    assert list(compiled.context) == [2, 3]


def test_a_compiled_file_of_an_older_format_is_not_counted_as_cached(tmp_path) -> None:
    """After an upgrade the cache holds files of the old format: `has` says no for them (so the
    first start compiles ahead, during the imports), for a missing one, and yes for the current."""
    cache = CompiledCache(tmp_path)
    tables = dumps(compile_payload({"entities": []}))
    cache.put("new", tables)
    (tmp_path / "old.compiled").write_bytes(b"NETRALC2" + tables[8:])
    assert cache.has("new") and not cache.has("old") and not cache.has("missing")
    assert cache.get("old") is None


def test_startup_reads_a_cached_bundle_ahead_and_still_does_every_step(kit, key, monkeypatch):
    """compile_ahead, in its thread: the first start compiles in the child, the next one decodes
    the cached tables while the web stack imports, and acceptance takes them over without reading
    the file again; the signature is still checked (a bundle re-signed by an untrusted key is
    refused although its tables were decoded ahead), and nothing decoded ahead outlives startup."""
    from companion.rules import manager as manager_module

    monkeypatch.setattr(bundle_module, "CHILD_THRESHOLD", 0)
    monkeypatch.setattr(manager_module, "CHILD_THRESHOLD", 0)
    raw = kit.encode(kit.example())
    path = kit.write_signed(raw, key)
    trusted_path, rules, cache = kit.tmp_path / "trusted_keys.json", kit.tmp_path / "rules", (
        kit.tmp_path / "cache")
    kit.trusted([key])
    rules.mkdir()

    def start() -> RulesManager:
        manager_module.compile_ahead([path], rules, cache, trusted_path)
        manager = RulesManager(None, trusted_path, rules, clock=lambda: kit.now, cache_dir=cache)
        manager.load_startup([path])
        assert not bundle_module._early and not CompiledCache._ahead
        return manager

    first = start()
    assert first.current is not None and len(list(cache.glob("*.compiled"))) == 1
    # The second start: decoded ahead, so neither the compiled file nor a compile is needed.
    manager_module.compile_ahead([path], rules, cache, trusted_path)
    bundle_module.await_early()
    assert list(CompiledCache._ahead) == [*cache.glob("*.compiled")]
    assert not bundle_module._early  # no child: the cache had it
    next(cache.glob("*.compiled")).unlink()

    def no_compile(*args):
        raise AssertionError("compiled although decoded ahead")

    monkeypatch.setattr(bundle_module, "compile_verified", no_compile)
    second = RulesManager(None, trusted_path, rules, clock=lambda: kit.now, cache_dir=cache)
    second.load_startup([path])
    assert second.current.bundle.sha256 == first.current.bundle.sha256
    assert results(second.current.matcher) == results(first.current.matcher)
    monkeypatch.undo()
    monkeypatch.setattr(bundle_module, "CHILD_THRESHOLD", 0)
    monkeypatch.setattr(manager_module, "CHILD_THRESHOLD", 0)
    # Re-signed by a key nobody trusts: its cached tables are decoded ahead, then let go.
    verify_bundle(raw, path.with_name(path.name + ".sig").read_bytes(), kit.trusted([key]),
                  kit.now, CompiledCache(cache))  # cache it again
    path.with_name(path.name + ".sig").write_bytes(kit.sig_file(kit.make_key().signature(raw)))
    third = start()
    assert third.current is None
