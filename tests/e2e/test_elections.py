"""Elections and their stages as a civil servant sees them, in Indonesian and in English, against a
real companion: the warning names the election and the stage; the popup shows the stage running
now, or that none is and the next known one; history rows name the election; and a new rules
epoch (a bundle swapped in, a stage that began or ended) drops every verdict the extension knew,
in the service worker and in the open tabs."""

from __future__ import annotations

import csv
import io
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from e2e_testkit import (
    CANDIDATE,
    ELECTION,
    FIXTURES,
    POPUP,
    SCHEDULED,
    STAGE,
    WIB,
    bundle_payload,
    campaign_stage,
    extension_worker,
    new_acks,
    open_site,
    press_warning_button,
    publish_bundle,
    screenshot,
    serve_fixtures,
    settle,
    site_log,
    wait_classified,
    wait_for_warning,
    warning_frame,
    warning_text,
    warning_verdict,
    wib,
)
from playwright.sync_api import Page, Playwright, Worker, expect
from test_pages import LANGS, Setup, language_setup, sign_bundle

HOME = "https://x.com/home"
LIKE_PRABOWO = "article[data-post='1001'] [data-testid='like']"
# A second election of the later bundles, whose campaign has not begun at first.
PILKADA = {"id": "Pilkada Uji", "en": "Test Regional Election"}
NEXT_STAGE = {"id": "Pemutakhiran data pemilih", "en": "Voter list update"}
# 22 entities one post names together: more than the 20 matches an answer lists.
# fmt: off
CROWD = ["alfa", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
         "juliett", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo",
         "sierra", "tango", "uniform", "victor"]
# fmt: on
LISTED = 20
# A check through the service worker, asked from one of the extension's pages.
ASK = "(post) => chrome.runtime.sendMessage({what: 'check', platform: 'x', action: 'like', post})"


@pytest.fixture(scope="module", params=LANGS)
def setup(request, playwright_instance: Playwright) -> Iterator[Setup]:
    for world in language_setup(request.param, playwright_instance):
        serve_fixtures(world.context, "https://x.com", FIXTURES / "x")
        yield world


def x_home(setup: Setup) -> Page:
    """The X fixture in the browser's language, once the posts in view were classified."""
    page = open_site(setup.context, HOME + ("?lang=en" if setup.short == "en" else ""))
    wait_classified(page)
    return page


def election_stage(setup: Setup, election: dict, stage: dict) -> str:
    return setup.msg("warningElection", election[setup.short], stage[setup.short])


def warning_entities(page: Page) -> dict:
    """What the open warning says per entity, and the election line it shows once for all."""
    return warning_frame(page).evaluate(
        """() => {
            const root = document;
            return {
              shared: root.querySelector('p.election')?.textContent ?? null,
              entities: [...root.querySelectorAll('li.entity')].map((li) => [
                li.querySelector('.entity-name').textContent,
                li.querySelector('.election')?.textContent ?? null]),
              more: root.querySelector('li.more')?.textContent ?? null,
            };
        }"""
    )


def publish(setup: Setup, name: str, **changes) -> dict:
    """Signs the test bundle with `changes` and hands it to the running companion; its status."""
    return publish_bundle(setup.companion, sign_bundle(setup.directory, name, **changes))


# ── the bundle of language_setup(): both entities tied to a stage running now ────────────────


def test_the_warning_names_the_election_and_stage_once_when_all_share_it(setup):
    page = x_home(setup)
    page.locator(LIKE_PRABOWO).click()
    assert wait_for_warning(page) == "warn"
    shown = warning_entities(page)
    assert shown["shared"] == election_stage(setup, ELECTION, STAGE)
    assert shown["entities"] == [[CANDIDATE, None]]
    assert shown["more"] is None
    if setup.short == "id":
        assert "Pemilu Uji · Masa kampanye" in warning_text(page)
    else:
        assert "Test Election · Campaign period" in warning_text(page)
    press_warning_button(page, "cancel")
    page.close()


def test_the_check_asks_in_the_browser_language_and_the_ack_names_the_election(setup):
    popup = setup.open("popup")
    asked = popup.evaluate(ASK, {"author_handle": "prabowo", "text": "Kunjungan kerja"})
    popup.close()
    assert asked["matches"][0]["election"]["name"] == ELECTION[setup.short]
    assert asked["matches"][0]["election"]["stage"]["name"] == STAGE[setup.short]
    page = x_home(setup)
    before = len(setup.companion.acknowledgements())
    page.locator(LIKE_PRABOWO).click()
    wait_for_warning(page)
    press_warning_button(page, "proceed")
    [ack] = new_acks(setup.companion, before)
    assert (ack["outcome"], ack["entity_ids"]) == ("proceeded", ["paslon-2024-02"])
    assert ack["election_ids"] == ["pemilu-uji"]
    page.close()


def last_day(until: datetime) -> date:
    """The last calendar day (WIB) of a stage that ends, exclusively, at `until`."""
    return (until - timedelta(microseconds=1)).astimezone(WIB).date()


def medium_date(page: Page, day: date) -> str:
    """A day as the page's language writes it in the medium style ("10 Feb 2024")."""
    return page.evaluate(
        """([y, m, d]) => new Intl.DateTimeFormat(
             chrome.i18n.getMessage('pageLang') === 'en' ? 'en-GB' : 'id-ID',
             {dateStyle: 'medium', timeZone: 'UTC'}).format(Date.UTC(y, m - 1, d))""",
        [day.year, day.month, day.day],
    )


def stage_lines(page: Page) -> list[str]:
    return page.locator("#stages-list li").all_text_contents()


def test_the_popup_shows_the_stage_running_now_and_its_last_day(setup):
    signed = json.loads((setup.directory / "pages-v1.bundle.json").read_text(encoding="utf-8"))
    until = datetime.fromisoformat(signed["elections"][0]["stages"][0]["until"])
    page = setup.open("popup")
    expect(page.locator("#stages-heading")).to_have_text(setup.msg("popupStagesHeading"))
    day = medium_date(page, last_day(until))
    expected = setup.msg("popupStageActive", ELECTION[setup.short], STAGE[setup.short], day)
    assert stage_lines(page) == [expected]
    page.close()


def test_history_rows_name_the_election_and_filter_by_it(setup):
    # An acknowledgement from a bundle that named an election the current one no longer lists.
    setup.post(
        "/v1/acknowledgements",
        {
            "ack_id": str(uuid.uuid4()),
            "check_id": None,
            "platform": "facebook",
            "action": "share",
            "outcome": "cancelled",
            "entity_ids": ["paslon-lama"],
            "election_ids": ["pilkada-2020"],
            "bundle_id": "e2e-test",
            "rules_version": 1,
            "occurred_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "justification": None,
        },
    )
    log = setup.companion.acknowledgements()
    assert log[-1]["election_ids"] == ["pilkada-2020"]
    page = setup.open("history")
    expect(page.locator("#rows tr").first.locator("td.election")).to_have_text("pilkada-2020")
    proceeded = page.locator("#rows tr").nth(1)
    expect(proceeded.locator("td.election")).to_have_text(ELECTION[setup.short])
    expect(page.locator("#filter-election option")).to_have_text(
        [setup.msg("historyFilterAll"), ELECTION[setup.short], "pilkada-2020"]
    )
    page.select_option("#filter-election", "pemilu-uji")
    wanted = [r["seq"] for r in log if "pemilu-uji" in (r.get("election_ids") or [])]
    shown = page.locator("#rows tr").evaluate_all(
        "(rows) => rows.map((r) => Number(r.dataset.seq))"
    )
    assert shown == sorted(wanted, reverse=True)
    with page.expect_download() as download:
        page.click("#export-csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
    assert {r["election_ids"] for r in rows} == {"pemilu-uji"}
    page.close()


# ── version 2: an always-active party, a crowd of names, a regional election still to come ────


def pilkada(stage_from: datetime, stage_until: datetime) -> dict:
    stage = campaign_stage(stage_from, stage_until)
    return {"id": "pilkada-uji", "kind": "pilkada", "name": PILKADA, "stages": [stage]}


def later_bundle(pilkada_from: datetime, pilkada_until: datetime) -> dict:
    """The changes to the test bundle for versions 2 to 4: only the regional stage moves."""
    base = bundle_payload()
    party = next(e for e in base["entities"] if e["id"] == "partai-contoh")
    party = {k: v for k, v in party.items() if k != "elections"}  # always active
    crowd = [
        {
            "id": f"tokoh-{word}",
            "kind": "candidate",
            "name": f"Tokoh {word.title()}",
            "names": [f"tokoh {word}"],
            "elections": ["pemilu-uji"],
        }
        for word in CROWD
    ]
    newcomer = {
        "id": "calon-baru",
        "kind": "candidate",
        "name": "Calon Baru",
        "names": ["calon baru"],
        "accounts": {"x": ["calonbaru"]},
        "elections": ["pilkada-uji"],
    }
    return {
        "elections": [*base["elections"], pilkada(pilkada_from, pilkada_until)],
        "entities": [base["entities"][0], party, *crowd, newcomer],
    }


def test_each_entity_names_its_own_election_and_the_rest_is_counted(setup):
    now = datetime.now(UTC)
    publish(
        setup, "v2", version=2, **later_bundle(now + timedelta(days=10), now + timedelta(days=20))
    )
    page = x_home(setup)
    page.evaluate("""window.__insertPost({id: "6001", name: "Partai Contoh", handle: "partaicontoh",
                     text: "Silaturahmi bersama Prabowo Subianto"})""")
    page.locator("article[data-post='6001'] [data-testid='like']").click()
    assert wait_for_warning(page) == "warn"
    shown = warning_entities(page)
    assert shown["shared"] is None
    assert sorted(shown["entities"]) == [
        ["Partai Contoh", None],
        [CANDIDATE, election_stage(setup, ELECTION, STAGE)],
    ]
    press_warning_button(page, "cancel")

    text = "Foto bersama " + ", ".join(f"Tokoh {word.title()}" for word in CROWD)
    page.evaluate(
        """(text) => window.__insertPost({id: "6002", name: "Warga", handle: "warga", text})""",
        text,
    )
    page.locator("article[data-post='6002'] [data-testid='like']").click()
    assert wait_for_warning(page) == "warn"
    shown = warning_entities(page)
    assert len(shown["entities"]) == LISTED
    assert shown["shared"] == election_stage(setup, ELECTION, STAGE)
    assert shown["more"] == setup.msg("warningMoreMatches", str(len(CROWD) - LISTED))
    press_warning_button(page, "cancel")
    page.close()


def rules_changed(page: Page) -> int:
    return int(page.evaluate("document.documentElement.dataset.netralRulesChanged ?? '0'"))


def wait_rules_changed(page: Page, count: int) -> None:
    page.wait_for_function(
        "(n) => Number(document.documentElement.dataset.netralRulesChanged ?? 0) >= n",
        arg=count,
        timeout=10000,
    )


def repost(page: Page, post: str) -> None:
    """Repost from the post's repost menu (the site's "share" that publishes)."""
    page.locator(f"article[data-post='{post}'] [data-testid='retweet']").click()
    page.locator("[data-testid='retweetConfirm']").click()


def test_a_stage_that_began_drops_the_verdicts_and_the_same_post_warns(setup):
    page = x_home(setup)
    page.evaluate("""window.__insertPost({id: "7001", name: "Calon Baru", handle: "calonbaru",
                     text: "Salam hangat dari kampung halaman"})""")
    page.wait_for_function("Number(document.documentElement.dataset.netralClassified) >= 2")
    page.locator("article[data-post='7001'] [data-testid='like']").click()
    settle(page)
    assert warning_verdict(page) is None  # the regional campaign has not begun: allowed
    assert [e["post"] for e in site_log(page, "like")] == ["7001"]
    changed = rules_changed(page)

    # Version 3: the regional campaign runs now, and ends in four minutes.
    now = datetime.now(UTC)
    ends = now + timedelta(minutes=4)
    status = publish(setup, "v3", version=3, **later_bundle(now - timedelta(hours=1), ends))
    assert status["rules"]["epoch"]
    # Any answer of the companion brings the new epoch: here the next post scrolling into view.
    page.evaluate("""window.__insertPost({id: "7002", name: "Kabar Desa", handle: "kabardesa",
                     text: "Panen raya dimulai"})""")
    wait_rules_changed(page, changed + 1)
    repost(page, "7001")
    assert wait_for_warning(page) == "warn"
    assert election_stage(setup, PILKADA, STAGE) in warning_text(page)
    assert "Calon Baru" in warning_text(page)
    press_warning_button(page, "cancel")
    assert site_log(page, "repost") == []

    # The status told the worker when the stage ends: it asks again a second after that.
    worker = extension_worker(setup.context)
    setup.open("popup").close()
    alarm = worker.evaluate("chrome.alarms.get('netral-epoch')")
    assert abs(alarm["scheduledTime"] / 1000 - (ends.timestamp() + 1)) < 2
    page.close()


def test_a_stage_that_ended_is_noticed_without_any_check(setup):
    popup = setup.open("popup")
    post = {"author_handle": "calonbaru", "text": "Salam dari Calon Baru"}
    assert popup.evaluate(ASK, post)["verdict"] == "warn"  # now cached by the worker
    page = x_home(setup)
    page.evaluate("""window.__insertPost({id: "7101", name: "Calon Baru", handle: "calonbaru",
                     text: "Terima kasih warga"})""")
    page.wait_for_function("Number(document.documentElement.dataset.netralClassified) >= 2")
    changed = rules_changed(page)

    # Version 4: the regional campaign is over. The worker learns it from its epoch alarm (fired
    # here at once rather than at the stage's end) without any tab asking anything.
    now = datetime.now(UTC)
    status = publish(
        setup, "v4", version=4, **later_bundle(now - timedelta(days=9), now - timedelta(hours=1))
    )
    worker = extension_worker(setup.context)
    worker.evaluate("chrome.alarms.create('netral-epoch', {when: Date.now()})")
    seen = "async () => (await chrome.storage.session.get('rulesEpoch')).rulesEpoch ?? null"
    deadline = time.monotonic() + 10
    while worker.evaluate(seen) != status["rules"]["epoch"]:
        assert time.monotonic() < deadline, "the worker never learned the new epoch"
        time.sleep(0.1)
    wait_rules_changed(page, changed + 1)
    assert popup.evaluate(ASK, post)["verdict"] == "allow"
    repost(page, "7101")
    settle(page)
    assert warning_verdict(page) is None
    assert [e["post"] for e in site_log(page, "repost")] == ["7101"]
    popup.close()
    page.close()


# ── versions 5 to 7: no stage running ────────────────────────────────────────────────────────


def past_election() -> dict:
    now = datetime.now(UTC)
    election = bundle_payload()["elections"][0]
    return election | {
        "stages": [campaign_stage(now - timedelta(days=40), now - timedelta(days=9))]
    }


def test_the_popup_names_the_scheduled_election_when_no_stage_is_running(setup):
    scheduled = bundle_payload()["elections"][1]
    publish(setup, "v5", version=5, elections=[past_election(), scheduled])
    page = setup.open("popup")
    page.set_viewport_size(POPUP)
    next_known = setup.msg("popupStageScheduled", SCHEDULED[setup.short])
    assert stage_lines(page) == [setup.msg("popupStageNone", next_known)]
    if setup.short == "id":
        assert stage_lines(page) == [
            "Tidak ada tahapan pemilu yang berjalan saat ini; berikutnya yang diketahui: "
            "Pemilu 2029 (tanggal belum ditetapkan)"
        ]
    screenshot(page, "page-popup-no-stage", setup.lang)
    page.close()

    page = x_home(setup)
    page.locator(LIKE_PRABOWO).click()
    settle(page, 300)
    assert warning_verdict(page) is None  # the candidate pair's campaign is over
    page.close()


def test_the_popup_names_the_next_stage_that_has_dates(setup):
    now = datetime.now(UTC)
    starts = (
        (now + timedelta(days=60))
        .astimezone(WIB)
        .replace(hour=0, minute=0, second=0, microsecond=0)
    )
    upcoming = bundle_payload()["elections"][1] | {
        "stages": [
            {
                "id": "pemutakhiran",
                "name": NEXT_STAGE,
                "from": wib(starts),
                "until": wib(starts + timedelta(days=90)),
            }
        ]
    }
    publish(setup, "v6", version=6, elections=[past_election(), upcoming])
    page = setup.open("popup")
    day = medium_date(page, starts.date())
    next_known = setup.msg("popupStageNext", SCHEDULED[setup.short], NEXT_STAGE[setup.short], day)
    assert stage_lines(page) == [setup.msg("popupStageNone", next_known)]
    page.close()


def test_a_bundle_without_elections_says_nothing_about_stages(setup):
    entities = [
        {k: v for k, v in entity.items() if k != "elections"}
        for entity in bundle_payload()["entities"]
    ]
    publish(setup, "v7", version=7, elections=[], entities=entities)
    page = setup.open("popup")
    expect(page.locator("#bundle-version")).to_have_text("7")
    expect(page.locator("#stages")).to_be_hidden()
    page.close()

    page = x_home(setup)
    page.locator(LIKE_PRABOWO).click()
    assert wait_for_warning(page) == "warn"  # always active again
    shown = warning_entities(page)
    assert shown["shared"] is None and shown["entities"] == [[CANDIDATE, None]]
    press_warning_button(page, "cancel")
    page.close()


# In the service worker: the first batch check after this waits for __netralRelease() (at most
# 4 s, under the worker's 5 s batch timeout) before its answer is read; single checks are counted.
HOLD_FIRST_BATCH = """() => {
    const real = globalThis.__netralRealFetch ??= fetch;
    let release;
    const released = new Promise((resolve) => { release = resolve; setTimeout(resolve, 4000); });
    Object.assign(globalThis, { __netralRelease: release, __netralHeld: 0, __netralChecks: 0 });
    globalThis.fetch = async (url, init) => {
      const path = new URL(url, location.href).pathname;
      if (path === "/v1/check") globalThis.__netralChecks += 1;
      const response = await real(url, init);
      if (path === "/v1/check/batch" && globalThis.__netralHeld++ === 0) await released;
      return response;
    };
}"""
UNHOLD = "() => { globalThis.__netralRelease(); globalThis.fetch = globalThis.__netralRealFetch; }"


@contextmanager
def first_batch_held(worker: Worker) -> Iterator[None]:
    """The worker's next batch check is held until the block ends, then its fetch is its own."""
    worker.evaluate(HOLD_FIRST_BATCH)
    try:
        yield
    finally:
        worker.evaluate(UNHOLD)


def classified(page: Page) -> int:
    return int(page.evaluate("document.documentElement.dataset.netralClassified ?? '0'"))


def test_a_post_asked_about_while_the_epoch_changes_is_asked_about_again(setup):
    """The race a CI run lost on 2026-12-01: a tab hears of a new epoch while a post's batch is in
    flight. The epoch change leaves that post to its batch, whose answer (asked under the old
    epoch) is not kept, so the post must be asked about again, or it is never classified."""
    page = x_home(setup)
    worker = extension_worker(setup.context)
    entities = [
        {k: v for k, v in entity.items() if k != "elections"}
        for entity in bundle_payload()["entities"]
    ]
    # The companion has the new bundle; the extension does not know it yet.
    publish(setup, "v8", version=8, elections=[], entities=entities)
    heard, before = rules_changed(page), classified(page)
    with first_batch_held(worker):
        page.evaluate("""window.__insertPost({id: "8001", name: "Relawan", handle: "relawan",
                         text: "Bersama Prabowo Subianto di lapangan"})""")
        deadline = time.monotonic() + 5
        while not worker.evaluate("globalThis.__netralHeld") and time.monotonic() < deadline:
            time.sleep(0.02)
        assert worker.evaluate("globalThis.__netralHeld") == 1, "the new post's batch was not sent"
        # The epoch reaches the tab through a status answer while that batch is held.
        worker.evaluate("chrome.alarms.create('netral-epoch', {when: Date.now()})")
        wait_rules_changed(page, heard + 1)
    # The posts already on the page, asked about again at the epoch change, and the held post
    # asked about again once its stale answer came back: two batches answered.
    page.wait_for_function(
        "(n) => Number(document.documentElement.dataset.netralClassified ?? 0) >= n",
        arg=before + 2,
        timeout=10000,
    )
    page.locator("article[data-post='8001'] [data-testid='like']").click()
    assert wait_for_warning(page) == "warn"
    assert worker.evaluate("globalThis.__netralChecks") == 0, "the like was not classified ahead"
    press_warning_button(page, "cancel")
    page.close()
