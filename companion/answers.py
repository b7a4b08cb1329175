"""The answer to a check, shared by POST /v1/check and `netral-companion check`.

One function, so the command an agency previews a bundle with answers exactly as the endpoint.
"""

import uuid
from datetime import datetime

from companion.rules.manager import Loaded
from companion.rules.timeline import summary


def language(lang: str | None) -> str:
    """`en-US` and `EN` read as `en`; the bundle's texts fall back to `id` where they lack it."""
    return (lang or "id").split("-")[0].split("_")[0].strip().lower() or "id"


def check_answer(
    loaded: Loaded,
    *,
    platform: str,
    action: str,
    post: dict,
    draft_text: str | None,
    lang: str | None,
    at: datetime,
) -> dict:
    """The /v1/check response body for one action on one post at instant `at`."""
    result = loaded.matcher.match(
        platform=platform, action=action, post=post, draft_text=draft_text,
        lang=language(lang), at=at,
    )
    return {
        "verdict": result.verdict,
        "check_id": str(uuid.uuid4()),
        "matches": [match.body() for match in result.matches],
        "matches_truncated": result.matches_truncated,
        "legal_refs": list(result.legal_refs),
        "message": result.message,
        "rules": {"bundle_id": loaded.bundle.bundle_id, "version": loaded.bundle.version,
                  "epoch": loaded.epoch(at)},
    }


def elections(loaded: Loaded, at: datetime, lang: str | None) -> list[dict]:
    """Status `rules.elections`: each election, its running stage and the next one."""
    return summary(loaded.matcher.timeline, at.timestamp(), language(lang))


def pact_text(declared: dict, lang: str | None) -> tuple[str | None, str | None]:
    """The pact's title and text in `lang`, each falling back to the signed Indonesian one."""
    translation = (declared.get("i18n") or {}).get(language(lang))
    translation = translation if isinstance(translation, dict) else {}
    return (
        translation.get("title") or declared.get("title"),
        translation.get("text") or declared.get("text"),
    )

