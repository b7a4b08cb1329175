"""Precision and recall of the default bundle on the labelled posts in tests/rules/corpus/, each set
measured at the instant it belongs to: the 2024 posts during the 2024 campaign, the present-day
posts now."""

import json
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

import shared_rules
from companion.rules.matcher import Matcher, MatchResult

CORPUS = Path(__file__).parent / "corpus"
BUNDLE = Path(shared_rules.__file__).resolve().parent / "netral-default.bundle.json"
# Inside the campaign stage of pemilu-2024 (2023-11-28 to 2024-02-11 WIB).
CAMPAIGN_2024 = datetime(2024, 1, 15, 10, 0, tzinfo=timezone(timedelta(hours=7)))
POST_FIELDS = (
    "author_handle",
    "author_name",
    "original_author_handle",
    "text",
    "hashtags",
    "mentions",
)


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher.from_bundle(json.loads(BUNDLE.read_bytes()))


def _posts(name: str) -> list[dict]:
    return yaml.safe_load((CORPUS / name).read_text(encoding="utf-8"))


def _like(matcher: Matcher, post: dict, at: datetime) -> MatchResult:
    fields = {k: post[k] for k in POST_FIELDS if k in post}
    return matcher.match(platform=post["platform"], action="like", post=fields, at=at)


def _why(post: dict, result: MatchResult) -> str:
    signals = [(m.entity_id, [s.value for s in m.signals]) for m in result.matches]
    return f"{post['platform']} {post['text']!r} {signals}"


def _figures(outcome: Counter) -> tuple[float | None, float | None, str]:
    """Precision, recall (None when undefined) and a printable line for tp/fp/fn/tn counts."""
    found, relevant = outcome["tp"] + outcome["fp"], outcome["tp"] + outcome["fn"]
    precision = outcome["tp"] / found if found else None
    recall = outcome["tp"] / relevant if relevant else None
    line = ", ".join(
        f"{label} {'n/a' if value is None else f'{value:.3f}'}"
        for label, value in (("precision", precision), ("recall", recall))
    )
    return precision, recall, f"{line} (tp {outcome['tp']}, fp {outcome['fp']}, fn {outcome['fn']})"


def _tally(outcome: Counter, found: bool, truth: bool) -> None:
    outcome[("t" if found == truth else "f") + ("p" if found else "n")] += 1


def test_the_2024_posts_are_found_during_the_2024_campaign(matcher):
    posts = _posts("posts.yaml")
    assert len(posts) >= 150
    assert {p["platform"] for p in posts} >= {"x", "facebook", "instagram", "tiktok", "whatsapp"}
    outcome: Counter[str] = Counter()
    misses = []
    for post in posts:
        result = _like(matcher, post, CAMPAIGN_2024)
        found, truth = result.verdict != "allow", post["candidate"]
        _tally(outcome, found, truth)
        if found != truth:
            misses.append(f"{'false positive' if found else 'missed'}: {_why(post, result)}")
    precision, recall, line = _figures(outcome)
    print(
        f"\n2024 corpus at {CAMPAIGN_2024.isoformat()}: {len(posts)} posts, "
        f"{outcome['tp'] + outcome['fn']} candidate content; {line}"
    )
    print("\n".join(misses))
    assert precision >= 0.98, "\n".join(misses)
    assert recall >= 0.97, "\n".join(misses)


def test_present_day_posts_do_not_warn_now_but_would_have_in_2024(matcher):
    posts = _posts("posts-2026.yaml")
    assert len(posts) >= 45
    kinds = Counter(p["kind"] for p in posts)
    assert set(kinds) == {"programme", "office_holder", "dprd", "new_party", "news"}
    now = datetime.now(UTC)
    outcome: Counter[str] = Counter()
    warned_now: Counter[str] = Counter()
    warned_2024: Counter[str] = Counter()
    wrong = []
    for post in posts:
        result = _like(matcher, post, now)
        _tally(outcome, result.verdict != "allow", post["expected"] != "allow")
        if result.verdict != "allow":
            warned_now[post["kind"]] += 1
        if result.verdict != post["expected"]:
            wrong.append(f"{result.verdict}, expected {post['expected']}: {_why(post, result)}")
        if _like(matcher, post, CAMPAIGN_2024).verdict != "allow":
            warned_2024[post["kind"]] += 1
    print(f"\npresent-day corpus now ({now.isoformat(timespec='seconds')}): {len(posts)} posts")
    for kind, count in kinds.most_common():
        print(
            f"  {kind:<13} {count:>3} posts, {warned_now[kind]:>3} warn now, "
            f"{warned_2024[kind]:>3} would have warned at {CAMPAIGN_2024.date()}"
        )
    print(f"  {_figures(outcome)[2]}")
    print("\n".join(wrong))
    assert not wrong, "\n".join(wrong)
    # The same accounts and names were election participants during the 2024 campaign, so many of
    # these posts warn then; if none did, "no warning now" would prove nothing about time, only
    # that the bundle does not know these names.
    assert sum(warned_2024.values()) > 0
