"""Tests of the matcher: the spec's worked examples, each matching rule and its negative, scale."""

import itertools
from collections.abc import Callable

import pytest

from companion.rules.matcher import MAX_MATCHES, Matcher, Signal

EXTRA_ENTITIES = [
    {
        "id": "pdip",
        "kind": "party",
        "name": "PDI Perjuangan",
        "names": ["pdi perjuangan", "pdip"],
        "hashtags": ["pdiperjuangan"],
        "accounts": {"*": ["pdi_perjuangan"]},
        "policy": {"like": "allow"},
    },
    {
        "id": "tim-ganjar",
        "kind": "campaign",
        "name": "Tim Pemenangan Ganjar",
        "names": ["ganjar pranowo"],
        "policy": {"like": "block"},
    },
    {
        "id": "caleg-amin",
        "kind": "candidate",
        "name": "H. Amin",
        "weak_names": ["amin"],
        "legal_refs": ["uu-5-2014"],
    },
    {
        "id": "caleg-siti",
        "kind": "candidate",
        "name": "Siti Aminah",
        "weak_names": ["siti", "aminah"],
    },
    {"id": "caleg-suparman-1", "kind": "candidate", "name": "SUPARMAN", "weak_names": ["Suparman"]},
    {
        "id": "caleg-suparman-2",
        "kind": "candidate",
        "name": "Suparman, S.H.",
        "weak_names": ["suparman"],
    },
]


@pytest.fixture(scope="module")
def matcher(example: Callable[[], dict]) -> Matcher:
    bundle = example()
    bundle["entities"] += EXTRA_ENTITIES
    return Matcher.from_bundle(bundle)


def case(
    id_: str,
    verdict: str,
    entities: tuple[str, ...] | None = None,
    *,
    platform: str = "x",
    action: str = "like",
    draft: str | None = None,
    **post: object,
) -> object:
    """One row: a post (keyword fields), the expected verdict and maybe the matched entity ids."""
    return pytest.param(platform, action, post, draft, verdict, entities, id=id_)


SPEC_EXAMPLES = [
    case("spec-account", "warn", author_handle="@Prabowo", text="Selamat pagi"),
    case("spec-leet-case", "warn", text="Mari dukung PR4BOWO!"),
    case("spec-hashtag-split", "warn", text="#DukungPrabowo sampai menang"),
    case("spec-weak-alone", "allow", text="Kata Gibran, cinta itu memberi"),
    case("spec-weak-context", "warn", text="Gibran hadir, coblos nomor urut 2"),
    case("spec-no-whole-word", "allow", text="Aamiin, semoga lancar"),
    case("spec-handle-exact", "allow", author_handle="@prabowo_fans"),
]

PAIR = ("paslon-2024-02",)
CASES = [
    # Rule 1 applied to post text: diacritics, zero-width, full-width, leet, punctuation.
    case("name-diacritics", "warn", PAIR, text="Hidup Prábowó!"),
    case("name-zero-width", "warn", PAIR, text="Hidup Pra\u200bbo\ufeffwo"),
    case("name-soft-split-is-not-zero-width", "allow", text="Hidup Pra bowo"),
    case("name-full-width", "warn", PAIR, text="ＰＲＡＢＯＷＯ menang"),
    case("name-leet-zeros", "warn", PAIR, text="pr4b0w0 keren"),
    case("name-punctuation-boundary", "warn", PAIR, text="si-Prabowo..."),
    case("name-multiword", "warn", PAIR, text="Bapak Prabowo  Subianto"),
    # Rule 4: whole words only.
    case("name-inside-word", "allow", text="prabowonomics itu apa"),
    case("weak-inside-word-jamin", "allow", text="jamin coblos"),
    case("weak-inside-word-aamiin-context", "allow", text="aamiin, pilih yang baik"),
    case("weak-whole-word-amin-context", "warn", ("caleg-amin",), text="Amin, pilih yang baik"),
    case("name-across-fields", "allow", author_name="Ganjar", text="Pranowo hadir"),
    case("name-in-author-name", "warn", PAIR, author_name="Prabowo Subianto", text="pagi"),
    case("name-in-draft", "warn", PAIR, action="comment", text="pagi", draft="Hidup Prabowo!"),
    case("draft-absent-allows", "allow", action="comment", text="pagi"),
    # Rule 2: hashtags.
    case("hashtag-field", "warn", PAIR, hashtags=["PrabowoGibran2024"]),
    case("hashtag-field-with-sign", "warn", PAIR, hashtags=["#prabowogibran"]),
    case("hashtag-in-text", "warn", PAIR, text="Siap! #PRABOWOGIBRAN"),
    case("hashtag-in-draft", "warn", PAIR, action="post", draft="Ayo #PrabowoGibran2024"),
    case("hashtag-word-without-sign", "allow", text="prabowogibran2024"),
    case("hashtag-other-year", "allow", hashtags=["prabowogibran2025"]),
    case("hashtag-camel-split-name", "block", ("tim-ganjar",), hashtags=["SalamGanjarPranowo"]),
    case("hashtag-no-case-change-no-split", "allow", text="#salamganjarpranowo"),
    case("hashtag-digit-split-two-weak", "warn", PAIR, text="#Gemoy02"),
    # Rule 3: accounts.
    case("account-case", "warn", PAIR, author_handle="PRABOWO"),
    case("account-instagram", "warn", PAIR, platform="instagram", author_handle="prabowo"),
    case("account-not-on-platform", "allow", platform="tiktok", author_handle="prabowo"),
    case(
        "account-star",
        "warn",
        ("pdip",),
        platform="tiktok",
        action="follow",
        author_handle="pdi_perjuangan",
    ),
    case(
        "account-star-other",
        "warn",
        ("pdip",),
        platform="other",
        action="follow",
        author_handle="@PDI_Perjuangan",
    ),
    case("account-mention", "warn", PAIR, text="halo", mentions=["@Gibran_Tweet"]),
    case("account-mention-other-platform", "allow", platform="youtube", mentions=["gibran_tweet"]),
    case(
        "account-original-author",
        "warn",
        PAIR,
        author_handle="warga",
        original_author_handle="prabowo",
    ),
    case("account-prefix-not-equal", "allow", author_handle="prabowo2"),
    case("account-suffix-not-equal", "allow", mentions=["gibran_tweet_"]),
    case("account-name-is-not-text", "allow", author_handle="ganjar_pranowo"),
    # Rule 5: weak names.
    case("weak-digits-alone", "allow", text="nomor 02"),
    case("weak-digits-context", "warn", PAIR, text="coblos 02"),
    case("weak-context-multiword", "warn", PAIR, text="Gemoy nomor urut satu"),
    case("weak-context-half-multiword", "allow", text="Gemoy nomor satu, urut kacang"),
    case("weak-two-distinct", "warn", PAIR, text="Gibran gemoy sekali"),
    case("weak-same-twice", "allow", text="Gibran, gibran, GIBRAN!"),
    case("weak-two-distinct-other-entity", "warn", ("caleg-siti",), text="Bu Siti Aminah datang"),
    case("weak-one-each-of-two-entities", "allow", text="Gibran dan Siti"),
    case(
        "weak-with-other-strong",
        "block",
        ("tim-ganjar", "paslon-2024-02"),  # strong signals first (bounded answers)
        text="Gibran dan Ganjar Pranowo",
    ),
    case(
        "weak-with-other-account",
        "warn",
        ("pdip", "paslon-2024-02"),
        action="comment",
        author_handle="pdi_perjuangan",
        text="gemoy",
    ),
    case(
        "weak-shared-by-entities",
        "warn",
        ("caleg-suparman-1", "caleg-suparman-2"),
        text="Pak Suparman caleg dapil 3",
    ),
    case("weak-shared-alone", "allow", text="Pak Suparman"),
    case("context-alone", "allow", text="Ayo coblos! Pilih yang jujur"),
    # Rule 6: verdicts.
    case("policy-entity-share-block", "block", PAIR, action="share", text="Prabowo"),
    case("policy-bundle-comment-warn", "warn", PAIR, action="comment", text="Prabowo"),
    case("policy-missing-action-warn", "warn", PAIR, action="follow", text="Prabowo"),
    case("policy-entity-allow", "allow", ("pdip",), text="PDIP"),
    case("policy-entity-allow-other-action", "warn", ("pdip",), action="comment", text="PDIP"),
    case(
        "most-severe-across-entities",
        "block",
        ("paslon-2024-02", "tim-ganjar"),
        text="Prabowo atau Ganjar Pranowo?",
    ),
    case("allow-plus-warn-is-warn", "warn", ("paslon-2024-02", "pdip"), text="PDIP dan Prabowo"),
    case("nothing", "allow", (), text="Selamat pagi semuanya"),
    case("empty-post", "allow", ()),
    case("none-fields", "allow", (), text=None, hashtags=None, mentions=None, author_name=None),
]


@pytest.mark.parametrize(
    ("platform", "action", "post", "draft", "verdict", "entities"), SPEC_EXAMPLES + CASES
)
def test_match(
    matcher: Matcher,
    platform: str,
    action: str,
    post: dict,
    draft: str | None,
    verdict: str,
    entities: tuple[str, ...] | None,
) -> None:
    result = matcher.match(platform=platform, action=action, post=post, draft_text=draft)
    assert result.verdict == verdict
    if entities is not None:
        assert tuple(m.entity_id for m in result.matches) == entities


@pytest.mark.parametrize(
    ("post", "signals"),
    [
        pytest.param({"author_handle": "@Prabowo"}, [Signal("account", "prabowo")], id="account"),
        pytest.param(
            {"hashtags": ["#PrabowoGibran2024"]},
            [
                Signal("hashtag", "prabowogibran2024"),
                Signal("name", "prabowo gibran"),
                Signal("name", "prabowo"),
                Signal("weak_name", "gibran"),
            ],
            id="hashtag-spelling-of-bundle",
        ),
        pytest.param({"text": "PR4BOWO"}, [Signal("name", "prabowo")], id="name"),
        pytest.param(
            {"text": "Gibran hadir, coblos nomor urut 2"},
            [
                Signal("weak_name", "gibran"),
                Signal("context", "coblos"),
                Signal("context", "nomor urut"),
            ],
            id="weak-and-context",
        ),
        pytest.param(
            {"text": "gemoy gibran gemoy"},
            [Signal("weak_name", "gemoy"), Signal("weak_name", "gibran")],
            id="two-weak-once-each",
        ),
    ],
)
def test_signals(matcher: Matcher, post: dict, signals: list[Signal]) -> None:
    (match,) = matcher.match(platform="x", action="like", post=post).matches
    assert sorted(match.signals, key=repr) == sorted(signals, key=repr)


def test_signals_of_shared_weak_name_keep_each_entity_spelling(matcher: Matcher) -> None:
    result = matcher.match(platform="x", action="like", post={"text": "suparman caleg"})
    values = [[s.value for s in m.signals if s.type == "weak_name"] for m in result.matches]
    assert values == [["Suparman"], ["suparman"]]


def test_match_reports_entity_fields_in_bundle_order(matcher: Matcher) -> None:
    result = matcher.match(
        platform="x", action="like", post={"text": "Amin, Ganjar Pranowo dan Prabowo: coblos!"}
    )
    assert [(m.entity_id, m.kind) for m in result.matches] == [
        ("paslon-2024-02", "candidate_pair"),
        ("tim-ganjar", "campaign"),
        ("caleg-amin", "candidate"),
    ]
    assert result.matches[2].name == "H. Amin"
    # Deduplicated legal refs of the matched entities, in the bundle's order (uu-5-2014 first).
    assert [ref["id"] for ref in result.legal_refs] == ["uu-5-2014", "skb-2-2022"]
    assert result.legal_refs[1]["sanction"] == "Disiplin."


@pytest.mark.parametrize(
    ("lang", "action", "title", "body"),
    [
        pytest.param(
            "id", "like", "Perhatian: {e}", "Anda akan menyukai konten {e}.", id="id-like"
        ),
        pytest.param(
            "id", "comment", "Perhatian: {e}", "Anda akan mengomentari konten {e}.", id="id-comment"
        ),
        pytest.param(
            "id", "share", "Perhatian: {e}", "Anda akan membagikan konten {e}.", id="id-share"
        ),
        pytest.param(
            "id", "post", "Perhatian: {e}", "Anda akan memposting konten {e}.", id="id-post"
        ),
        pytest.param(
            "id", "follow", "Perhatian: {e}", "Anda akan mengikuti konten {e}.", id="id-follow"
        ),
        pytest.param("en", "like", "Careful: {e}", "You are about to like {e}.", id="en-like"),
        pytest.param(
            "en", "comment", "Careful: {e}", "You are about to comment on {e}.", id="en-comment"
        ),
        pytest.param(
            "en", "follow", "Careful: {e}", "You are about to follow {e}.", id="en-follow"
        ),
        pytest.param(
            "jv", "like", "Perhatian: {e}", "Anda akan menyukai konten {e}.", id="jv-is-id"
        ),
    ],
)
def test_message(matcher: Matcher, lang: str, action: str, title: str, body: str) -> None:
    result = matcher.match(
        platform="x", action=action, post={"text": "Prabowo dan Ganjar Pranowo"}, lang=lang
    )
    names = "Prabowo Subianto – Gibran Rakabuming Raka, Tim Pemenangan Ganjar"
    assert result.message == {"title": title.format(e=names), "body": body.format(e=names)}


def test_message_lists_a_shared_display_name_once(example: Callable[[], dict]) -> None:
    bundle = example()
    bundle["entities"] = [
        {"id": f"caleg-{i}", "kind": "candidate", "name": "Suparman", "weak_names": ["suparman"]}
        for i in range(3)
    ]
    result = Matcher.from_bundle(bundle).match(
        platform="x", action="like", post={"text": "suparman caleg"}
    )
    assert len(result.matches) == 3
    assert result.message is not None
    assert result.message["body"] == "Anda akan menyukai konten Suparman."


def test_message_keeps_other_braces(example: Callable[[], dict]) -> None:
    bundle = example()
    bundle["messages"]["id"]["body"] = "{entities} {x} {0} {action}"
    result = Matcher.from_bundle(bundle).match(
        platform="x", action="like", post={"text": "prabowo"}
    )
    assert result.message is not None
    assert result.message["body"] == "Prabowo Subianto – Gibran Rakabuming Raka {x} {0} menyukai"


def test_message_without_the_language_falls_back_to_id_entirely(example) -> None:
    bundle = example()
    del bundle["messages"]["en"]
    result = Matcher.from_bundle(bundle).match(
        platform="x", action="share", post={"text": "prabowo"}, lang="en"
    )
    assert result.message is not None
    assert result.message["body"] == (
        "Anda akan membagikan konten Prabowo Subianto – Gibran Rakabuming Raka."
    )


def test_allow_has_no_message_nor_refs(matcher: Matcher) -> None:
    result = matcher.match(platform="x", action="like", post={"text": "halo"})
    assert (result.verdict, result.matches, result.legal_refs, result.message) == (
        "allow",
        (),
        (),
        None,
    )


def test_matched_but_allowed_has_no_message(matcher: Matcher) -> None:
    result = matcher.match(platform="x", action="like", post={"text": "PDIP"})
    assert result.verdict == "allow"
    assert [m.entity_id for m in result.matches] == ["pdip"]
    assert result.message is None


def test_entity_count(matcher: Matcher) -> None:
    assert matcher.entity_count == 1 + len(EXTRA_ENTITIES)


def test_empty_bundle_allows_everything(example: Callable[[], dict]) -> None:
    bundle = example()
    bundle["entities"], bundle["context_words"] = [], []
    matcher = Matcher.from_bundle(bundle)
    assert matcher.entity_count == 0
    result = matcher.match(platform="x", action="like", post={"text": "Prabowo coblos"})
    assert result.verdict == "allow"


def test_unknown_action_is_an_error(matcher: Matcher) -> None:
    with pytest.raises(ValueError, match="Unknown action 'retweet'"):
        matcher.match(platform="x", action="retweet", post={"text": "Prabowo"})


FIRST = ["budi", "siti", "agus", "dewi", "joko", "rina", "andi", "sri", "eko", "yanti"]
LAST = [f"{a}{b}" for a, b in itertools.product("bcdghjklmnprstw", ["ono", "ati", "udin", "ah"])]


def test_scale_50000_weak_name_entities(example: Callable[[], dict]) -> None:
    """Correct answers when tens of thousands of candidates share a handful of names."""
    bundle = example()
    generated = []
    for i in range(50_000):
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
        weak = [f"{first} {last}"] if i % 7 else [f"{first} {last}", "suparman", f"{last}{i}x"]
        generated.append(
            {"id": f"caleg-{i}", "kind": "candidate", "name": weak[0], "weak_names": weak}
        )
    bundle["entities"] += generated
    matcher = Matcher.from_bundle(bundle)
    assert matcher.entity_count == 50_001

    def found(text: str, **post: object) -> tuple[set[str], int]:
        """The entities an answer lists, and how many matched in all."""
        result = matcher.match(platform="x", action="like", post={"text": text, **post})
        listed = {m.entity_id for m in result.matches}
        assert len(listed) == min(MAX_MATCHES, len(listed) + result.matches_truncated)
        return listed, len(listed) + result.matches_truncated

    def ids(text: str, **post: object) -> set[str]:
        listed, total = found(text, **post)
        assert total == len(listed)
        return listed

    suparman = {f"caleg-{i}" for i in range(0, 50_000, 7)}
    # The answer lists 20 of them and counts the rest; which 20 is the matcher's choice.
    listed, total = found("Pak Suparman, coblos!")
    assert listed <= suparman and total == len(suparman)
    assert ids("Pak Suparman datang") == set()
    # A name shared by every entity with that first/last pair, confirmed by a context word.
    first, last = FIRST[3], LAST[5]
    same_name = {e["id"] for e in generated if e["weak_names"][0] == f"{first} {last}"}
    assert len(same_name) > 50
    listed, total = found(f"{first.title()} {last.title()} caleg dapil 4")
    assert listed <= same_name and total == len(same_name)
    assert ids(f"{first.title()} {last.title()} datang") == set()
    # Two distinct weak names of one entity: the entities named "budi bono" that are also Suparman.
    both = {
        e["id"] for e in generated if e["weak_names"][:2] == [f"{FIRST[0]} {LAST[0]}", "suparman"]
    }
    assert "caleg-0" in both
    assert ids(f"Bu {FIRST[0].title()} {LAST[0]} alias Suparman") == both
    # A weak name unique to one entity counts with another entity's strong signal, not alone.
    unique = generated[7]["weak_names"][2]
    assert ids(unique, author_handle="prabowo") == {"caleg-7", "paslon-2024-02"}
    assert ids(f"{unique} hadir") == set()
    assert ids(f"x{FIRST[0]} {LAST[0]} coblos") == set()


@pytest.mark.parametrize(
    "text",
    ["Pr\u0430bowo presiden!", "P.r.a.b.o.w.o", "#Pr\u0430bowoGibran2024", "Prab\u00adowo menang",
     "dukung P R A B O W O", "\u03a1R\u0391BOWO"],
)
def test_look_alike_and_invisible_spellings_of_a_name_match(example, text: str) -> None:
    matcher = Matcher.from_bundle(example())
    result = matcher.match(platform="x", action="like", post={"text": text})
    assert result.verdict == "warn", text
    assert result.matches[0].entity_id == "paslon-2024-02"


@pytest.mark.parametrize("text", ["Gibr\u0430n, cinta itu memberi", "a m i n", "Прабово"])
def test_look_alike_spellings_do_not_invent_matches(example, text: str) -> None:
    # A weak name stays weak however it is spelled; a short spelled-out word is no name;
    # Cyrillic letters with no Latin look-alike (б, в) keep the word from reading as Latin.
    assert Matcher.from_bundle(example()).match(
        platform="x", action="like", post={"text": text}).verdict == "allow"
