"""The normalisation N of the rules spec (matching rules 1-2), for bundle names and post text."""

import functools
import re
import unicodedata

_ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")
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


def _strip_marks(text: str) -> str:
    """Decompose, drop combining marks (general category M), recompose what needs no mark."""
    text = _bmp_marks().sub("", unicodedata.normalize("NFD", text))
    if max(text, default="") > "\uffff":
        # Marks outside the BMP are rare; a class of them would slow every character down.
        text = _NON_BMP.sub(_strip_astral_marks, text)
    return unicodedata.normalize("NFC", text)


def _delete_zero_width(text: str) -> str:
    for char in _ZERO_WIDTH:
        if char in text:
            text = text.replace(char, "")
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
    """The spec's N: NFKC, casefold, no marks or zero-width characters, leet read, single spaces."""
    text = unicodedata.normalize("NFKC", _delete_zero_width(text)).casefold()
    if text.isascii():
        text = " ".join(text.translate(_ASCII_NOT_ALNUM).split())
    else:
        text = " ".join(_NOT_ALNUM.sub(" ", _strip_marks(text)).split())
    return _read_leet(text)


def _fold(text: str) -> str:
    """N's steps that keep case and punctuation (split_hashtag and hashtags_in need both)."""
    text = unicodedata.normalize("NFKC", _delete_zero_width(text))
    return text if text.isascii() else _strip_marks(text)


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
