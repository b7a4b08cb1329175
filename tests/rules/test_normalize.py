"""Tests of the spec's normalisation N, hashtag splitting and hashtag keys (matching rules 1-2)."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.rules.normalize import hashtag_key, hashtags_in, normalize, split_hashtag


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Prabowo", "prabowo", id="casefold"),
        pytest.param("ß", "ss", id="casefold-not-lower"),
        pytest.param("İstanbul", "istanbul", id="casefold-dot-removed"),
        pytest.param("Gänjär Pranöwo", "ganjar pranowo", id="diacritics-composed"),
        pytest.param("cafe\u0301", "cafe", id="diacritics-decomposed"),
        pytest.param("Ganjar\u20dd", "ganjar", id="enclosing-mark"),
        pytest.param("pra\u200bbowo", "prabowo", id="zero-width-space-deleted"),
        pytest.param("pra\u200cbo\u200dwo", "prabowo", id="zwnj-zwj-deleted"),
        pytest.param("\ufeffpra\u2060bowo", "prabowo", id="bom-word-joiner-deleted"),
        pytest.param("ＰＲＡＢＯＷＯ", "prabowo", id="full-width"),
        pytest.param("𝐏𝐫𝐚𝐛𝐨𝐰𝐨", "prabowo", id="math-bold"),
        pytest.param("PR4BOWO", "prabowo", id="leet-4"),
        pytest.param("g1br4n", "gibran", id="leet-1-4"),
        pytest.param("b3r5a7u", "bersatu", id="leet-3-5-7"),
        pytest.param("pr0b0w0", "probowo", id="leet-0"),
        pytest.param("02", "02", id="digits-only-stay"),
        pytest.param("nomor urut 02", "nomor urut 02", id="digit-token-between-words"),
        pytest.param("2024 b4", "2024 ba", id="leet-only-in-mixed-token"),
        pytest.param("ganjar2024", "ganjar2o2a", id="leet-skips-2-6-8-9"),
        pytest.param("ａ２", "a2", id="full-width-digit-not-leet"),
        pytest.param("Mari, dukung!!! (Prabowo)...", "mari dukung prabowo", id="punctuation"),
        pytest.param("  spaced\t\n out  ", "spaced out", id="whitespace-runs-trimmed"),
        pytest.param("prabowo_gibran", "prabowo gibran", id="underscore-separates"),
        pytest.param("a\x01b", "a b", id="control-char-separates"),
        pytest.param("pra-\u00a0bowo", "pra bowo", id="nbsp-separates"),
        pytest.param("#DukungPrabowo", "dukungprabowo", id="hashtag-text-unsplit"),
        pytest.param("🙂🙂 🇮🇩", "", id="emoji-only"),
        pytest.param("", "", id="empty"),
        pytest.param("한국 말", "한국 말", id="hangul-recomposed"),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_zero_width_is_deleted_not_a_space() -> None:
    assert normalize("gib\u200bran") != normalize("gib ran")


@pytest.mark.parametrize(
    ("tag", "words"),
    [
        pytest.param("DukungPrabowo", ["dukung", "prabowo"], id="camel-case"),
        pytest.param("#DukungPrabowo", ["dukung", "prabowo"], id="with-hash"),
        pytest.param("Ganjar2024", ["ganjar", "2024"], id="letter-digit"),
        pytest.param("2024Ganjar", ["2024", "ganjar"], id="digit-letter"),
        pytest.param("Pilpres2024DamaiYa", ["pilpres", "2024", "damai", "ya"], id="mixed"),
        pytest.param("prabowogibran", ["prabowogibran"], id="no-change-no-split"),
        pytest.param("PDIPerjuangan", ["pdiperjuangan"], id="upper-to-lower-no-split"),
        pytest.param("Dukung_Prabowo", ["dukung", "prabowo"], id="underscore"),
        pytest.param("ＤｕｋｕｎｇＰｒａｂｏｗｏ", ["dukung", "prabowo"], id="full-width"),
        pytest.param("ÉtéGanjar", ["ete", "ganjar"], id="diacritics"),
        pytest.param("Duk\u200bungPrabowo", ["dukung", "prabowo"], id="zero-width"),
        pytest.param("", [], id="empty"),
    ],
)
def test_split_hashtag(tag: str, words: list[str]) -> None:
    assert split_hashtag(tag) == words


@pytest.mark.parametrize(
    ("left", "right", "equal"),
    [
        pytest.param("#PrabowoGibran2024", "prabowogibran2024", True, id="case-hash"),
        pytest.param("prabowo_gibran", "PrabowoGibran", True, id="underscore"),
        pytest.param("ＰｒａｂｏｗｏＧｉｂｒａｎ", "prabowogibran", True, id="full-width"),
        pytest.param("Pr4bowoGibr4n", "prabowogibran", True, id="leet"),
        pytest.param("prabowogibran2024", "prabowogibran2025", False, id="other-year"),
        pytest.param("prabowogibran", "prabowo", False, id="prefix"),
    ],
)
def test_hashtag_key(left: str, right: str, equal: bool) -> None:
    assert (hashtag_key(left) == hashtag_key(right)) is equal


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        pytest.param("#DukungPrabowo dan #Ganjar2024!", ["DukungPrabowo", "Ganjar2024"], id="two"),
        pytest.param("Ayo ＃DukungPrabowo", ["DukungPrabowo"], id="full-width-sign"),
        pytest.param("#Prabo\u200bwo", ["Prabowo"], id="zero-width-inside"),
        pytest.param("harga 50# saja", [], id="bare-sign"),
    ],
)
def test_hashtags_in(text: str, tags: list[str]) -> None:
    assert hashtags_in(text) == tags


@given(st.text())
def test_normalize_output_shape(text: str) -> None:
    out = normalize(text)
    assert out == out.strip()
    assert "  " not in out
    assert all(c == " " or c.isalnum() for c in out)
    assert not any(unicodedata.category(c).startswith("M") for c in out)
    assert not set(out) & {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


@given(st.text(alphabet=st.characters(codec="latin-1")))
def test_normalize_is_idempotent_on_latin_text(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


# --- the updated rule 1: default-ignorable code points, look-alike letters, spelled-out words ---

LOOKALIKES = [
    ("Pr\u0430bowo", "prabowo"),  # Cyrillic а
    ("\u0420R\u0410BOWO", "prabowo"),  # Cyrillic capital Р and А
    ("Gibr\u0430n", "gibran"),
    ("G\u0456bran", "gibran"),  # Cyrillic і
    ("Gan\u0458ar", "ganjar"),  # Cyrillic ј
    ("Prab\u03bfw\u03bf", "prabowo"),  # Greek ο
    ("\u03a1RAB\u039fW\u039f", "prabowo"),  # Greek capital Ρ, Ο
    ("\u0392ASWEDAN", "baswedan"),  # Greek capital Β, whose casefold β is no Latin look-alike
    ("Prab\u0585wo", "prabowo"),  # Armenian օ
    ("\u13a2\u13ac\u13aa", "tea"),  # Cherokee Ꭲ Ꭼ Ꭺ, which look like T, E, A
]
INVISIBLE = ["\u00ad", "\u034f", "\u061c", "\u180e", "\u200e", "\u202a", "\u2063", "\u2064",
             "\u3164", "\ufe0f", "\ufff0", "\U000e0041", "\U0001d173", "\U0001bca0"]


@pytest.mark.parametrize(("text", "expected"), LOOKALIKES)
def test_letters_of_other_scripts_that_look_latin_read_as_latin(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize("char", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
def test_every_default_ignorable_code_point_is_deleted(char):
    assert unicodedata.category(char) in ("Cf", "Mn", "Lo", "Cn", "So", "Mc")
    assert normalize(f"Pra{char}bowo") == "prabowo"
    assert normalize(f"Pra{char}bowo {char}🙏") == "prabowo"  # with an astral neighbour too


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P.r.a.b.o.w.o", "prabowo"),
        ("P r a b o w o", "prabowo"),
        ("G-I-B-R-A-N 2024", "gibran 2024"),
        ("A.n.i.e.s Baswedan", "anies baswedan"),
        ("p r a b o w o dan g i b r a n", "prabowo dan gibran"),
    ],
)
def test_runs_of_single_letters_are_joined(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a b", "a b"),  # two single letters are no spelled-out word
        ("Jl. A. Yani no 1 2 3", "jl a yani no 1 2 3"),  # an initial, and digits, stay apart
        ("RT 01 RW 02", "rt 01 rw 02"),
        ("Привет мир", "пpиbet mиp"),  # Cyrillic words stay Cyrillic but for look-alikes
        ("Σίσυφος", "oiouφoo"),
        ("naïve café", "naive cafe"),  # Latin letters are never remapped
    ],
)
def test_what_the_new_steps_leave_alone(text, expected):
    assert normalize(text) == expected


def test_look_alikes_split_hashtags_at_their_case_changes():
    assert split_hashtag("Pr\u0430bowoGibran2024") == ["prabowo", "gibran", "2024"]
    assert split_hashtag("\u0420R\u0410BOWO") == ["prabowo"]
    assert hashtags_in("dukung #Pr\u00adabowo!") == ["Prabowo"]
    assert hashtag_key("#Pr\u0430bowoGibran2024") == hashtag_key("#PrabowoGibran2024")
