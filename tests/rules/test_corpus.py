"""Precision and recall of the default bundle on the labelled posts in tests/rules/corpus/."""

import json
from collections import Counter
from pathlib import Path

import yaml

import shared_rules
from companion.rules.matcher import Matcher

CORPUS = Path(__file__).parent / "corpus" / "posts.yaml"
BUNDLE = Path(shared_rules.__file__).resolve().parent / "netral-default.bundle.json"
POST_FIELDS = (
    "author_handle",
    "author_name",
    "original_author_handle",
    "text",
    "hashtags",
    "mentions",
)


def test_the_default_bundle_finds_candidate_content_in_realistic_posts():
    posts = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    assert len(posts) >= 150
    assert {p["platform"] for p in posts} >= {"x", "facebook", "instagram", "tiktok", "whatsapp"}
    matcher = Matcher.from_bundle(json.loads(BUNDLE.read_bytes()))
    outcome: Counter[str] = Counter()
    misses = []
    for post in posts:
        fields = {k: post[k] for k in POST_FIELDS if k in post}
        result = matcher.match(platform=post["platform"], action="like", post=fields)
        found, truth = result.verdict != "allow", post["candidate"]
        outcome[("t" if found == truth else "f") + ("p" if found else "n")] += 1
        if found != truth:
            why = [(m.entity_id, [s.value for s in m.signals]) for m in result.matches]
            misses.append(f"{'false positive' if found else 'missed'}: {post['text']!r} {why}")
    precision = outcome["tp"] / (outcome["tp"] + outcome["fp"])
    recall = outcome["tp"] / (outcome["tp"] + outcome["fn"])
    print(
        f"\ncorpus: {len(posts)} posts, {outcome['tp'] + outcome['fn']} candidate content; "
        f"precision {precision:.3f}, recall {recall:.3f}"
    )
    print("\n".join(misses))
    assert precision >= 0.97, "\n".join(misses)
    assert recall >= 0.95, "\n".join(misses)
