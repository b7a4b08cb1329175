"""Acceptance of a large bundle read as a stream: the same tables and the same reasons as the whole
parse, a compile helper bounded in memory, and a matcher that never answers before its automaton."""

import copy
import hashlib
import json
import os
import signal
import threading
import time

import pytest

from companion.rules import bundle as bundle_module
from companion.rules import matcher as matcher_module
from companion.rules.bundle import (
    BundleRejected,
    compile_early,
    compile_raw,
    parse_payload,
    verify_bundle,
)
from companion.rules.compiled import compile_payload, dumps
from companion.rules.manager import RulesManager
from companion.rules.matcher import Matcher

CANDIDATE = "Coblos Prabowo hari ini"


def many_entities(example: dict, count: int) -> dict:
    """The example with `count` extra legislative candidates, several with non-ASCII names."""
    spellings = ["Siti Aisyah", "José Ramos", "Ðặng Thu Thảo", "Ωmega Putri", "Budi 😀 Santoso",
                 'Kurung "},{" Kurawal',  # an entity boundary inside a string
                 "Titik: Dua {Kurawal"]  # the characters the repeated-key count looks at
    for n in range(count):
        name = f"{spellings[n % len(spellings)]} {n}"
        example["entities"].append({
            "id": f"caleg-{n}", "kind": "candidate", "name": f"{name} (Caleg)",
            "weak_names": [name.lower()],
            **({"legal_refs": ["uu-5-2014"]} if n % 3 == 0 else {}),
            **({"policy": {"like": "block"}} if n % 7 == 0 else {}),
            **({"active_from": "2024-01-01T00:00:00+07:00"} if n % 5 == 0 else {}),
        })
    return example


def spellings_of(payload: dict) -> list[bytes]:
    """The same payload as JSON spelled five ways: indented, compact, ASCII-escaped, CRLF and tab
    whitespace, and spaces around every colon and comma."""
    compact = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return [
        json.dumps(payload, ensure_ascii=False, indent=2).encode(),
        compact.encode(),
        json.dumps(payload, ensure_ascii=True).encode(),  # \u00e9, surrogate pairs for 😀
        json.dumps(payload, ensure_ascii=False, indent="\t").replace("\n", "\r\n").encode(),
        f" \n{json.dumps(payload, ensure_ascii=False, separators=(' , ', ' : '))}\n ".encode(),
    ]


@pytest.mark.parametrize("chunk", [1, 300, 2000, 10**9])
def test_the_stream_compiles_exactly_what_the_whole_parse_compiles(example, monkeypatch, chunk):
    """Five spellings of a bundle with non-ASCII names and "},{" inside names, read in batches of
    7 one by one and in chunks of `chunk` bytes: the stream never falls back and gives byte for
    byte the tables of the whole parse."""
    monkeypatch.setattr(bundle_module, "BATCH", 7)
    monkeypatch.setattr(bundle_module, "CHUNK", chunk)
    payload = many_entities(copy.deepcopy(example()), 40)
    for raw in spellings_of(payload):
        streamed = dumps(bundle_module._stream_compile(raw))
        assert streamed == dumps(compile_payload(parse_payload(raw)))
        assert compile_raw(raw) == streamed


def bad_inputs(example: dict) -> list[bytes]:
    """Bundles that the stream must not judge by itself, each one malformed."""
    good = json.dumps(example, ensure_ascii=False, separators=(",", ":"))
    entity = json.dumps(example["entities"][0], ensure_ascii=False, separators=(",", ":"))
    second = json.dumps({**example["entities"][0], "id": "b", "kind": "person"})
    head, tail = good.split('"entities":', 1)
    return [
        good[:-1] + ',}',  # a trailing comma in the top-level object
        good.replace(entity, entity + ","),  # a trailing comma in `entities`
        good.replace('"version":3', '"version":3,"version":4'),  # a top-level key twice
        good.replace('"entities":', '"entities":[],"entities":'),  # `entities` twice
        good.replace('"kind":"candidate_pair"', '"kind":"candidate_pair","kind":"party"'),
        good.replace('{"share":"block"}', '{"share":"block","share":"warn"}'),
        good.encode().replace(b"Prabowo Subianto", b"Prabowo \xff Subianto"),  # not UTF-8
        good.encode().replace(b'"version":3', b'"version"\xc2\xa0:3'),  # a non-JSON space
        b"\xef\xbb\xbf" + good.encode(),  # a byte-order mark
        ("[" + good + "]").encode(),
        (good + " {}").encode(),  # data after the object
        good.replace('"version":3', '"version":NaN').encode(),
        good.replace('"version":3', '"version":9007199254740992').encode(),  # 2^53
        good.replace(entity, entity + "," + second).encode(),  # the second entity is bad
        good.replace(entity, entity.replace('"policy"', '"elections":["pilkada-9"],"policy"')),
        (head + '"entities":{"a":1},' + tail.split("],", 1)[1]).encode(),  # not an array
        good.replace('"entities":[', '"ignored":[', 1).encode(),  # no entities at all
        b"",
        b"{",
        good.replace(entity, "[" * 100000 + "]" * 100000).encode(),  # nested too deeply
    ]


@pytest.mark.parametrize("chunk", [1, 10**9])
def test_every_doubtful_bundle_gets_the_whole_parse_reason(example, monkeypatch, chunk) -> None:
    """20 malformed bundles (trailing commas, repeated keys at three depths, bad UTF-8 inside and
    outside strings, BOM, a top-level array, extra data, NaN, a version of 2^53, a bad second
    entity, an undefined election, entities missing or not an array, empty and cut documents,
    deep nesting): the stream gives up on each, and the rejection is parse_payload's own."""
    monkeypatch.setattr(bundle_module, "BATCH", 1)
    monkeypatch.setattr(bundle_module, "CHUNK", chunk)  # read in chunks, or one by one
    cases = bad_inputs(example())
    assert len(cases) == 20
    for raw in cases:
        raw = raw if isinstance(raw, bytes) else raw.encode()
        with pytest.raises(bundle_module._NotStreamable):
            bundle_module._stream_compile(raw)
        with pytest.raises(BundleRejected) as caught:
            parse_payload(raw)
        assert caught.value.reason == "malformed"
        assert compile_raw(raw) == ("malformed", caught.value.detail), raw[:80]


def repeated_in_a_chunk(example: dict) -> list[bytes]:
    """40 candidates, compact, with one key written twice in the middle of the list: in the 20th
    candidate itself, in an object of an unknown field, and in an object inside a list."""
    good = json.dumps(many_entities(copy.deepcopy(example), 40), ensure_ascii=False,
                      separators=(",", ":"))
    target = '"id":"caleg-20",'
    assert good.count(target) == 1
    return [
        good.replace(target, target + '"weak_names":["siti aisyah"],').encode(),
        good.replace(target, target + '"party":{"nama":"A","nama":"B"},').encode(),
        good.replace(target, target + '"extra":[1,{"a":1,"a":1}],').encode(),
    ]


@pytest.mark.parametrize("chunk", [1, 300, 10**9])
def test_a_key_repeated_inside_a_chunk_of_candidates_is_malformed(example, monkeypatch, chunk):
    """Chunks are decoded without the repeated-key hook and kept only when their counts prove no
    repeat: 3 repeats among 40 candidates (in the entity, in a nested object, in a list's object),
    at 3 chunk sizes, are each refused with the whole parse's reason, naming the key."""
    monkeypatch.setattr(bundle_module, "CHUNK", chunk)
    for raw, key in zip(repeated_in_a_chunk(example()), ("weak_names", "nama", "a"), strict=True):
        with pytest.raises(bundle_module._NotStreamable):
            bundle_module._stream_compile(raw)
        detail = compile_raw(raw)
        assert detail[0] == "malformed" and f"the key {key!r} appears twice" in detail[1], detail


def test_the_repeat_count_never_says_yes_to_a_repeat() -> None:
    """_one_meaning, on 9 texts: yes only with no repeat; a ":" or "{" in a string, a nested object
    or a non-object only make it say no (the hooked decode then judges)."""
    decode = json.JSONDecoder().decode
    cases = {
        '[{"a":1,"b":[2]},{"a":"x"}]': True,
        '[{"a":1,"a":2}]': False,
        '[{"a":1},{"b":2,"b":2}]': False,
        '[{"a":"1:2"}]': False,  # a colon in a string: no, though nothing repeats
        '[{"a":"{"}]': False,
        '[{"a":{"b":1}}]': False,  # a nested object: no
        '[{"a":1,"a":2},"{"]': False,  # a string element that would even the "{" count
        '[{"a":1,"a":2},":"]': False,
        "[]": True,
    }
    for text, expected in cases.items():
        assert bundle_module._one_meaning(text, decode(text)) is expected, text


def large_bundle(example: dict, lists: int) -> dict:
    """The example (a newer version) with an unknown top-level field of `lists` empty lists:
    allowed by the schema, ~3 bytes of JSON each and ~64 bytes each once parsed."""
    data = copy.deepcopy(example)
    data["version"] = 4
    data["issued_at"] = "2024-02-01T00:00:00Z"
    data["padding"] = [[]] * lists
    return data


def test_a_compile_over_its_memory_is_too_large_and_the_old_rules_stay(kit, key, monkeypatch):
    """A signed 9 MB bundle whose parse needs ~200 MB, against a helper allowed 150 MB: refused
    as too_large in one sentence; the accepted bundle stays; with the real allowance it passes."""
    trusted = kit.trusted([key])
    manager = RulesManager(None, kit.tmp_path / "trusted_keys.json", kit.tmp_path / "rules",
                           clock=lambda: kit.now)
    raw = kit.encode(kit.example())
    old = manager.offer(raw, kit.sig_file(key.signature(raw)), "test")
    big = json.dumps(large_bundle(kit.example(), 3_000_000), separators=(",", ":")).encode()
    assert len(big) > bundle_module.CHILD_THRESHOLD
    sig = kit.sig_file(key.signature(big))
    monkeypatch.setattr(bundle_module, "CHILD_MEMORY", 150 * 1024 * 1024)
    with pytest.raises(BundleRejected) as caught:
        manager.offer(big, sig, "test")
    assert caught.value.reason == "too_large"
    assert "150 MB" in caught.value.detail and "\n" not in caught.value.detail
    assert manager.current is old
    monkeypatch.undo()
    assert verify_bundle(big, sig, trusted, kit.now).version == 4


def test_a_killed_compile_helper_is_a_clear_rejection(kit, key) -> None:
    """The helper killed mid-compile (the OOM killer, another process): the acceptance says so
    in one sentence, as `unreadable`, and raises nothing else."""
    trusted = kit.trusted([key])
    big = json.dumps(large_bundle(kit.example(), 3_000_000), separators=(",", ":")).encode()
    sig = kit.sig_file(key.signature(big))
    compile_early(big, sig, kit.tmp_path / "trusted_keys.json")
    pool, _ = next(iter(bundle_module._early.values()))
    (pid,) = pool._processes
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(BundleRejected) as caught:
        verify_bundle(big, sig, trusted, kit.now)
    assert caught.value.reason == "unreadable"
    assert "compile helper ended" in caught.value.detail
    assert not bundle_module._early


def test_a_background_automaton_is_waited_for_never_skipped(example, monkeypatch) -> None:
    """A check sent while the automaton is still being built waits for it and finds the name;
    a build that fails makes the check fail loudly, never answer allow."""
    compiled = compile_payload(example())
    expected = Matcher(compiled).match(platform="x", action="like", post={"text": CANDIDATE})
    assert expected.verdict == "warn"
    build = Matcher._build

    def slow_build(self) -> None:
        time.sleep(0.3)
        build(self)

    monkeypatch.setattr(Matcher, "_build", slow_build)
    started = time.monotonic()
    matcher = Matcher(compiled, background=True)
    assert time.monotonic() - started < 0.2  # the caller goes on at once
    assert matcher.match(platform="x", action="like", post={"text": CANDIDATE}) == expected
    assert time.monotonic() - started >= 0.3

    def broken(*args):
        raise MemoryError

    monkeypatch.setattr(matcher_module.ahocorasick, "Automaton", broken)
    matcher = Matcher(compiled, background=True)
    with pytest.raises(RuntimeError, match="could not be built"):
        matcher.match(platform="x", action="like", post={"text": CANDIDATE})
    with pytest.raises(MemoryError):
        Matcher(compiled)


def test_a_background_automaton_starts_when_serve_listens_or_at_the_first_check(example):
    """load_startup leaves the build for later (it would take the GIL from the last steps before
    `listening on`): it starts at start_build(), once, or at the first check that needs it."""
    compiled = compile_payload(example())

    def building() -> int:
        return sum(t.name == "netral-automaton" for t in threading.enumerate())

    before = building()
    matcher = Matcher(compiled, background=True)
    assert building() == before and not matcher._built.is_set()
    matcher.start_build()
    matcher.start_build()  # a second call (the listener, then a check) starts nothing more
    assert matcher._built.wait(10)
    assert matcher.match(platform="x", action="like", post={"text": CANDIDATE}).verdict == "warn"
    # Never started by the listener (a test server, say): the first check starts it and waits.
    late = Matcher(compiled, background=True)
    assert late.match(platform="x", action="like", post={"text": CANDIDATE}).verdict == "warn"


def test_signatures_proven_ahead_count_only_for_trusted_unexpired_keys_on_those_bytes(kit, key):
    """prove()'s results (found ahead, in a thread) are reused, but never for another key, other
    bytes, an expired key, or a signature entry that is not a string (4 attacks); the memo is
    cleared after startup."""
    raw = kit.encode(kit.example())
    sig = kit.sig_file(key.signature(raw))
    trusted = kit.trusted([key])
    bundle_module.run_early(bundle_module.prove, raw, sig, kit.tmp_path / "trusted_keys.json")
    bundle_module.await_early()
    digest = hashlib.sha256(raw).hexdigest()
    assert (digest, key.keyid, json.loads(sig)["signatures"][0]["sig"]) in bundle_module._proven
    # Reused: a fact in the memo stands for the Ed25519 check (here one never computed).
    bundle_module._proven.add((digest, key.keyid, "AAAA"))
    forged = kit.sig_file({"keyid": key.keyid, "sig": "AAAA"})
    assert verify_bundle(raw, forged, trusted, kit.now).signed_by == (key.name,)
    other = kit.make_key("other")
    attacks = [
        (raw, forged, kit.trusted([other])),  # the memo's key is no longer trusted
        (raw.replace(b"Contoh BKN", b"Contoh BKM"), forged, trusted),  # other bytes
        (raw, kit.sig_file({"keyid": key.keyid, "sig": ["AAAA"]}), trusted),  # not a string
    ]
    expired = kit.make_key("expired", expires_at="2024-01-01T00:00:00Z")
    bundle_module._proven.add((digest, expired.keyid, "AAAA"))
    attacks.append((raw, kit.sig_file({"keyid": expired.keyid, "sig": "AAAA"}),
                    kit.trusted([expired])))
    assert attacks[1][0] != raw
    for attack_raw, attack_sig, attack_trusted in attacks:
        with pytest.raises(BundleRejected) as caught:
            verify_bundle(attack_raw, attack_sig, attack_trusted, kit.now)
        assert caught.value.reason == "bad_signature"
    bundle_module.discard_early()
    assert not bundle_module._proven
    with pytest.raises(BundleRejected):
        verify_bundle(raw, forged, trusted, kit.now)
