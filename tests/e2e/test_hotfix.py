"""Selector hot-fixes through the signed bundle, end to end: a redesigned page defeats the built-in
table; a signed bundle carrying `selectors.instagram`, dropped into the companion's rules folder,
restores interception with no change to the extension."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from e2e_testkit import (
    Companion,
    bundle_payload,
    extension_status,
    make_signed_bundle,
    new_acks,
    open_site,
    press_warning_button,
    private_browser,
    publish_bundle,
    settle,
    sign_payload,
    site_log,
    wait_for_warning,
    warning_verdict,
)

INSTAGRAM = "https://www.instagram.com"
CAMPAIGN_LIKE = "article[data-post='H1prabowo'] [data-act='like']"
FIX = {
    "controls": {
        "like": [
            {"selector": "[role='button'][aria-label='Suka'], [role='button'][aria-label='Like']"}
        ]
    }
}


@pytest.fixture(scope="module")
def own_companion(tmp_path_factory):
    """A companion of its own: this module swaps its bundle, which the session's must not see."""
    directory = tmp_path_factory.mktemp("hotfix")
    bundle, trusted = make_signed_bundle(directory)
    server = Companion(data_dir=directory / "data", rules=bundle, trusted_keys=trusted).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def own_browser(playwright_instance, tmp_path_factory, own_companion):
    profile = tmp_path_factory.mktemp("hotfix-profile")
    with private_browser(
        playwright_instance, profile, own_companion, {INSTAGRAM: "hotfix"}
    ) as context:
        yield context


def publish_fix(companion: Companion) -> None:
    """Signs version 2 of the bundle with `selectors` and drops it into DATA_DIR/rules/."""
    staging = companion.rules.parent / "v2"
    staging.mkdir()
    payload = bundle_payload(datetime.now(UTC) + timedelta(minutes=1))
    payload.update(version=2, selectors={"instagram": FIX})
    key = companion.rules.parent / "keys" / "e2e-test.key"
    publish_bundle(companion, sign_payload(staging, "e2e-test-v2", payload, key))


def test_a_signed_selector_fix_restores_interception(own_browser, own_companion):
    before = open_site(own_browser, INSTAGRAM + "/")
    settle(before, 300)
    before.locator(CAMPAIGN_LIKE).click()
    settle(before, 300)
    assert warning_verdict(before) is None  # the redesign defeats the built-in table
    assert len(site_log(before, "like")) == 1
    assert own_companion.get("/v1/rules/selectors", platform="instagram") is None
    before.close()

    publish_fix(own_companion)
    assert own_companion.get("/v1/rules/selectors", platform="instagram") == FIX
    assert extension_status(own_browser)["status"]["rules"]["version"] == 2

    acks = len(own_companion.acknowledgements())
    after = open_site(own_browser, INSTAGRAM + "/")
    after.locator(CAMPAIGN_LIKE).click()
    assert wait_for_warning(after) == "warn"
    press_warning_button(after, "cancel")
    settle(after)
    assert site_log(after, "like") == []
    [ack] = new_acks(own_companion, acks)
    assert (ack["platform"], ack["action"], ack["outcome"]) == ("instagram", "like", "cancelled")
    after.locator(CAMPAIGN_LIKE).click()
    wait_for_warning(after)
    press_warning_button(after, "proceed")
    settle(after)
    assert len(site_log(after, "like")) == 1
