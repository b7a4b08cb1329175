"""Request field types shared by the routes: the spec's enums and bounded, encodable text."""

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

MAX_TEXT = 20_000


class Platform(StrEnum):
    x = "x"
    facebook = "facebook"
    instagram = "instagram"
    tiktok = "tiktok"
    youtube = "youtube"
    threads = "threads"
    whatsapp = "whatsapp"
    other = "other"


class Action(StrEnum):
    like = "like"
    comment = "comment"
    share = "share"
    post = "post"
    follow = "follow"


class Outcome(StrEnum):
    proceeded = "proceeded"
    cancelled = "cancelled"
    interrupted = "interrupted"  # the page hid, covered or removed the warning before a decision
    disputed = "disputed"  # the user reported the match as wrong from the warning


def _encodable(value: str) -> str:
    # JSON may carry lone surrogates ("\ud800"), which UTF-8 (SQLite, hashing) cannot encode.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    return value


Text = Annotated[str, StringConstraints(max_length=MAX_TEXT), AfterValidator(_encodable)]
Name = Annotated[str, StringConstraints(max_length=200), AfterValidator(_encodable)]
Note = Annotated[str, StringConstraints(max_length=500), AfterValidator(_encodable)]
