"""The normalisation N of the rules spec (matching rules 1-2), for bundle names and post text."""

import functools
import json
import re
import unicodedata
from importlib import resources

# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt, stable since Unicode 6):
# zero-width characters, the soft hyphen, bidi controls, invisible operators, fillers, variation
# selectors and tags. A writer can slip any of them inside a name ("Prab\u00adowo"); none shows.
# Two classes, because sre tests a class of BMP characters in constant time and one with astral
# members far more slowly; the astral one runs only on text that has astral characters.
_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8]+"
)
_IGNORABLE_ASTRAL = re.compile("[\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]+")
# Runs of three or more one-letter words, joined: "p r a b o w o" (from "P.r.a.b.o.w.o").
_SPELLED_OUT = re.compile(r"(?<![^ ])(?:[^\W\d_] ){2,}[^\W\d_](?![^ ])")
# Two one-letter words in a row: a cheap first look (a fifth of the cost) before _SPELLED_OUT, on
# the text padded with spaces (a literal first character lets sre skip ahead; an alternation not).
_TWO_SINGLES = re.compile(r" [^\W\d_] [^\W\d_] ")
_ASCII_NOT_ALNUM = {c: chr(c) if chr(c).isalnum() else " " for c in range(128)}
_NOT_ALNUM = re.compile(r"[\W_]+")
_NON_BMP = re.compile("[\U00010000-\U0010ffff]+")
# From a leet digit to the end of its word: one hit per word that may need reading.
_LEET_DIGIT = re.compile(r"[013457][^ ]*")
_LEET = str.maketrans("013457", "oieast")
_HASHTAG = re.compile(r"#(\w+)")


@functools.cache
def _bmp_marks() -> re.Pattern[str]:
    """Every BMP code point of general category M as one class (sre checks BMP classes in O(1))."""
    marks = [c for c in range(0x10000) if unicodedata.category(chr(c))[0] == "M"]
    ranges: list[str] = []
    start = prev = marks[0]
    for c in [*marks[1:], -2]:
        if c != prev + 1:
            last = "-" + re.escape(chr(prev)) if prev > start else ""
            ranges.append(re.escape(chr(start)) + last)
            start = c
        prev = c
    return re.compile("[" + "".join(ranges) + "]+")


def _strip_astral_marks(run: re.Match[str]) -> str:
    return "".join(c for c in run.group() if unicodedata.category(c)[0] != "M")


def _strip_marks(text: str, runs: list[str]) -> str:
    """Decompose, drop combining marks (general category M), recompose what needs no mark."""
    text = _bmp_marks().sub("", unicodedata.normalize("NFD", text))
    # Marks outside the BMP are rare; a class of them would slow every character down.
    if any(unicodedata.category(c)[0] == "M" for run in runs for c in run):
        text = _NON_BMP.sub(_strip_astral_marks, text)
    return unicodedata.normalize("NFC", text)


def _astral_runs(text: str) -> list[str]:
    """The runs of characters outside the BMP (emoji, mostly): few, so they are checked alone."""
    return _NON_BMP.findall(text) if _NON_BMP.search(text) else []


def _delete_ignorable(text: str, runs: list[str]) -> str:
    text = _IGNORABLE.sub("", text)
    if any(_IGNORABLE_ASTRAL.search(run) for run in runs):
        text = _IGNORABLE_ASTRAL.sub("", text)
    return text


@functools.cache
def _lookalikes() -> tuple[dict[int, str], dict[int, str], re.Pattern[str]]:
    """Letters of other scripts that Unicode's confusables data (UTS #39) maps to one Latin letter
    (Cyrillic а о р с е і, Greek ο α ι ν, Armenian Օ, …), read from the confusable-homoglyphs
    package's copy of confusables.txt and its script table. Returns the table keeping case (for
    hashtags, whose case changes split words), the table for casefolded text (each letter's
    casefold too, so a Greek capital beta's small form reads as b), and a class of the BMP ones."""
    from confusable_homoglyphs import categories

    data = resources.files("confusable_homoglyphs").joinpath("confusables.json")
    cased: dict[int, str] = {}
    for char, glyphs in json.loads(data.read_text(encoding="utf-8")).items():
        if len(char) != 1 or not unicodedata.category(char).startswith("L"):
            continue
        if categories.alias(char) in ("LATIN", "COMMON", "INHERITED"):
            continue
        latin = next((g["c"] for g in glyphs
                      if len(g["c"]) == 1 and g["c"].isascii() and g["c"].isalpha()), None)
        if latin:
            cased[ord(char)] = latin
    folded = {ord(chr(c).casefold()): latin.lower() for c, latin in cased.items()
              if len(chr(c).casefold()) == 1}
    folded.update({c: latin.lower() for c, latin in cased.items()})
    bmp = sorted(chr(c) for c in {*cased, *folded} if c <= 0xFFFF)
    return cased, folded, re.compile("[" + "".join(map(re.escape, bmp)) + "]")


def _read_lookalikes(text: str, runs: list[str], *, folded: bool) -> str:
    cased, lower, bmp = _lookalikes()
    table = lower if folded else cased
    # A search in C first: most non-ASCII posts hold emoji or accents, not look-alikes.
    if bmp.search(text) or any(ord(c) in table for run in runs for c in run):
        return text.translate(table)
    return text


def _read_leet(text: str) -> str:
    """Read 0 1 3 4 5 7 as o i e a s t in each word that mixes letters and digits."""
    out: list[str] = []
    done = 0
    for hit in _LEET_DIGIT.finditer(text):
        start = text.rfind(" ", 0, hit.start()) + 1
        word = text[start : hit.end()]
        if not word.isnumeric():  # a word of letters and digits only: not numeric means a letter
            out += [text[done:start], word.translate(_LEET)]
            done = hit.end()
    return "".join([*out, text[done:]]) if out else text


def normalize(text: str) -> str:
    """The spec's N: NFKC, casefold, no marks nor default-ignorable code points, other scripts'
    look-alike letters read as Latin, leet read, single spaces, spelled-out words joined."""
    if text.isascii():
        text = " ".join(text.lower().translate(_ASCII_NOT_ALNUM).split())
    else:
        runs = _astral_runs(text)
        text = unicodedata.normalize("NFKC", _delete_ignorable(text, runs)).casefold()
        runs = _astral_runs(text) if runs else runs  # NFKC maps some astral letters into the BMP
        text = _read_lookalikes(_strip_marks(text, runs), runs, folded=True)
        text = " ".join(_NOT_ALNUM.sub(" ", text).split())
    text = _read_leet(text)
    if _TWO_SINGLES.search(f" {text} "):
        text = _SPELLED_OUT.sub(lambda run: run.group().replace(" ", ""), text)
    return text


def _fold(text: str) -> str:
    """N's steps that keep case and punctuation (split_hashtag and hashtags_in need both)."""
    if text.isascii():
        return text
    runs = _astral_runs(text)
    text = unicodedata.normalize("NFKC", _delete_ignorable(text, runs))
    runs = _astral_runs(text) if runs else runs
    return _read_lookalikes(_strip_marks(text, runs), runs, folded=False)


def _word_break(prev: str, ch: str) -> bool:
    return prev.isalpha() != ch.isalpha() or (prev.islower() and ch.isupper())


def split_hashtag(tag: str) -> list[str]:
    """Normalised words of a hashtag, split at lower->upper and letter<->digit changes."""
    words: list[str] = []
    word = ""
    for ch in _fold(tag):
        if word and (not ch.isalnum() or _word_break(word[-1], ch)):
            words.append(word)
            word = ""
        if ch.isalnum():
            word += ch
    if word:
        words.append(word)
    return [part for w in words for part in normalize(w).split()]


def hashtag_key(tag: str) -> str:
    """The equality key of two hashtags: N with the spaces removed."""
    return normalize(tag).replace(" ", "")


def hashtags_in(text: str) -> list[str]:
    """Every `#word` of a text, without the `#` (after folding full-width signs and zero-widths)."""
    return _HASHTAG.findall(_fold(text))
