"""YouTube end to end on m.youtube.com: like, share and subscribe on the mobile watch page and like
on mobile Shorts, in the Indonesian and English interfaces. Before the 2026 audit no container
matched there, so every action was checked with an empty post and went through unwarned."""

from __future__ import annotations

import pytest
from e2e_testkit import CANDIDATE, wait_classified
from site_scenarios import (
    assert_not_held,
    assert_proceeds_once,
    assert_warns_then_cancel,
)

ORIGIN = "https://m.youtube.com"
LIKE = ".slim-video-action-bar-actions like-button-view-model button"
SUBSCRIBE = ".slim-video-action-bar-actions ytm-subscribe-button-renderer button"
SHARE = ".slim-video-action-bar-actions button[data-act='share']"
LANGS = ["id", "en"]


def opened(site_page, path: str, lang: str):
    joiner = "&" if "?" in path else "?"
    page = site_page(ORIGIN + path + (f"{joiner}lang=en" if lang == "en" else ""))
    wait_classified(page)
    return page


@pytest.mark.parametrize("lang", LANGS)
def test_like_on_a_candidate_video_warns_naming_the_candidate(site_page, companion, ui, lang):
    page = opened(site_page, "/watch?v=pbw2024", lang)
    assert_warns_then_cancel(
        page,
        page.locator(LIKE).click,
        logs=("like",),
        texts=(CANDIDATE, ui("actionLike")),
        companion=companion,
        ack=("youtube", "like"),
    )


def test_like_proceed_reaches_the_site_exactly_once(site_page, companion):
    page = opened(site_page, "/watch?v=pbw2024", "en")
    assert_proceeds_once(
        page,
        page.locator(LIKE).click,
        log="like",
        expect={"video": "pbw2024"},
        companion=companion,
        ack=("youtube", "like"),
    )


@pytest.mark.parametrize("lang", LANGS)
def test_like_on_an_ordinary_video_was_classified_ahead_and_is_not_held(site_page, lang):
    page = opened(site_page, "/watch?v=resep01", lang)
    assert_not_held(page, page.locator(LIKE).click, log="like")


@pytest.mark.parametrize("lang", LANGS)
def test_subscribe_to_the_candidate_warns(site_page, companion, ui, lang):
    page = opened(site_page, "/watch?v=pbw2024", lang)
    assert_warns_then_cancel(
        page,
        page.locator(SUBSCRIBE).click,
        logs=("subscribe",),
        texts=(CANDIDATE, ui("actionFollow")),
        companion=companion,
        ack=("youtube", "follow"),
    )


@pytest.mark.parametrize("lang", LANGS)
def test_share_of_a_candidate_video_warns(site_page, companion, ui, lang):
    page = opened(site_page, "/watch?v=pbw2024", lang)
    assert_warns_then_cancel(
        page,
        page.locator(SHARE).click,
        logs=("openShare",),
        texts=(CANDIDATE, ui("actionShare")),
        companion=companion,
        ack=("youtube", "share"),
    )


@pytest.mark.parametrize("lang", LANGS)
def test_liking_a_campaign_short_warns_and_an_ordinary_one_is_untouched(site_page, companion, lang):
    page = opened(site_page, "/shorts/gemoy02", lang)
    like = "ytm-like-button-renderer button"
    assert_warns_then_cancel(
        page,
        page.locator(f"shorts-video[data-short='gemoy02'] {like}").click,
        logs=("likeShort",),
        texts=(CANDIDATE,),
        companion=companion,
        ack=("youtube", "like"),
    )
    [entry] = assert_not_held(
        page, page.locator(f"shorts-video[data-short='sambal01'] {like}").click, log="likeShort"
    )
    assert entry["short"] == "sambal01"
