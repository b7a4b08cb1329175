"""Elections over HTTP and on the command line: status, check, epoch, a boundary crossed live."""

import json
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from companion_testkit import REPO, bundle_payload, cli_env, make_client, token_headers

from companion.rules.keys import sign_bundle

WIB = timezone(timedelta(hours=7))
IN_CAMPAIGN = datetime(2024, 1, 15, 10, tzinfo=WIB)
CAMPAIGN_END = datetime(2024, 2, 11, tzinfo=WIB)
TODAY = datetime(2026, 12, 1, tzinfo=UTC)
POST = {"text": "Mari dukung Prabowo!"}


def stamp(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


def election_payload(campaign_from: datetime = datetime(2023, 11, 28, tzinfo=WIB),
                     campaign_until: datetime = CAMPAIGN_END) -> dict:
    payload = bundle_payload(1)
    payload["elections"] = [
        {"id": "pemilu-2024", "kind": "pemilu",
         "name": {"id": "Pemilu 2024", "en": "2024 General Election"},
         "stages": [{"id": "kampanye", "name": {"id": "Masa kampanye", "en": "Campaign period"},
                     "from": stamp(campaign_from), "until": stamp(campaign_until)}]},
        {"id": "pemilu-2029", "name": {"id": "Pemilu 2029", "en": "2029 General Election"},
         "stages": []},
    ]
    payload["entities"][0]["elections"] = ["pemilu-2024"]
    payload["messages"]["id"]["body"] = "Konten terkait {entities} ({election}, {stage})."
    payload["pact"]["i18n"] = {"en": {"title": "Integrity pact"}}
    return payload


def write_signed(directory: Path, signer, payload: dict, name: str = "pemilu") -> Path:
    path = directory / f"{name}.bundle.json"
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    sign_bundle(path, signer.key)
    return path


class Clock:
    """The companion's clock, moved by the test (Settings.clock)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def timed(tmp_path, signer):
    clock = Clock(IN_CAMPAIGN)
    path = write_signed(tmp_path, signer, election_payload())
    data_dir = tmp_path / "data"
    with make_client(data_dir, rules=[path], trusted_keys=signer.trusted_keys,
                     clock=clock) as client:
        client.headers.update(token_headers(data_dir))
        yield client, clock, path


def test_status_lists_elections_with_running_and_next_stage_in_the_language_asked(timed):
    client, clock, _ = timed
    rules = client.get("/v1/status").json()["rules"]
    pemilu, scheduled = rules["elections"]
    assert pemilu["name"] == "Pemilu 2024" and pemilu["stages"] == 1
    assert pemilu["active_stage"] == {"id": "kampanye", "name": "Masa kampanye",
                                      "from": "2023-11-28T00:00:00+07:00",
                                      "until": "2024-02-11T00:00:00+07:00"}
    assert pemilu["next_stage"] is None
    assert scheduled["stages"] == 0
    assert scheduled["active_stage"] is scheduled["next_stage"] is None
    body = client.get("/v1/status?lang=en").json()
    assert body["rules"]["elections"][0]["active_stage"]["name"] == "Campaign period"
    # The pact's title is translated, its text falls back to the signed Indonesian one.
    assert (body["pact"]["title"], body["pact"]["text"]) == ("Integrity pact", "Saya netral.")
    clock.at = datetime(2023, 1, 1, tzinfo=UTC)
    pemilu = client.get("/v1/status").json()["rules"]["elections"][0]
    assert pemilu["active_stage"] is None and pemilu["next_stage"]["id"] == "kampanye"


def test_a_stage_boundary_changes_verdicts_and_epoch_without_a_restart(timed):
    client, clock, _ = timed
    check = {"platform": "x", "action": "like", "post": POST}
    epoch = client.get("/v1/status").json()["rules"]["epoch"]
    body = client.post("/v1/check", json=check).json()
    assert body["verdict"] == "warn" and body["rules"]["epoch"] == epoch
    assert body["matches"][0]["election"] == {
        "id": "pemilu-2024", "name": "Pemilu 2024",
        "stage": {"id": "kampanye", "name": "Masa kampanye", "until": "2024-02-11T00:00:00+07:00"}}
    assert body["message"]["body"].endswith("(Pemilu 2024, Masa kampanye).")
    clock.at = CAMPAIGN_END - timedelta(microseconds=1)
    assert client.post("/v1/check", json=check).json()["verdict"] == "warn"
    assert client.get("/v1/status").json()["rules"]["epoch"] == epoch
    clock.at = CAMPAIGN_END
    after = client.post("/v1/check", json=check).json()
    assert (after["verdict"], after["matches"], after["message"]) == ("allow", [], None)
    assert after["rules"]["epoch"] != epoch
    assert client.get("/v1/status").json()["rules"]["epoch"] == after["rules"]["epoch"]
    batch = client.post("/v1/check/batch", json={"items": [check, check]}).json()["results"]
    assert [r["verdict"] for r in batch] == ["allow", "allow"]


def test_a_real_serve_crosses_a_stage_start_while_running(serve, tmp_path, signer):
    """No injected clock: the stage starts a few seconds after a real `serve` is listening."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=12)
    path = write_signed(tmp_path, signer,
                        election_payload(start, start + timedelta(days=1)), name="live")
    served = serve("--rules", str(path), "--trusted-keys", str(signer.trusted_keys))
    check = {"platform": "x", "action": "like", "post": POST}
    with served.http() as http:
        before = http.post("/v1/check", json=check).json()
        if datetime.now(UTC) >= start:
            pytest.fail("the companion took too long to start for this test's window")
        assert before["verdict"] == "allow"
        time.sleep(max(0.0, (start - datetime.now(UTC)).total_seconds()) + 0.2)
        after = http.post("/v1/check", json=check).json()
        assert after["verdict"] == "warn"
        assert after["rules"]["epoch"] != before["rules"]["epoch"]
        assert after["matches"][0]["election"]["stage"]["id"] == "kampanye"


def test_check_on_the_command_line_answers_exactly_as_the_endpoint(timed, signer, tmp_path):
    client, clock, path = timed
    for at in (IN_CAMPAIGN, TODAY):
        clock.at = at
        for lang, action in (("id", "like"), ("en", "share")):
            expected = client.post("/v1/check", json={
                "platform": "x", "action": action, "post": POST, "lang": lang}).json()
            printed = subprocess.run(
                [sys.executable, "-m", "companion", "check", POST["text"], "--at", stamp(at),
                 "--rules", str(path), "--trusted-keys", str(signer.trusted_keys),
                 "--lang", lang, "--action", action, "--json",
                 "--data-dir", str(tmp_path / "never-made")],
                capture_output=True, text=True, env=cli_env(), cwd=REPO, check=True)
            answer = json.loads(printed.stdout)
            uuid.UUID(answer.pop("check_id"))
            expected.pop("check_id")
            assert answer == expected
    assert not (tmp_path / "never-made").exists()  # a preview writes nothing


def test_check_in_words_and_verify_list_the_elections(timed, signer):
    _, _, path = timed
    run = [sys.executable, "-m", "companion"]
    keys = ["--trusted-keys", str(signer.trusted_keys)]
    words = subprocess.run([*run, "check", "Coblos Prabowo", "--at", stamp(IN_CAMPAIGN),
                            "--rules", str(path), *keys],
                           capture_output=True, text=True, env=cli_env(), cwd=REPO, check=True)
    assert words.stdout.startswith("warn: like on x at 2024-01-15T10:00:00+07:00")
    assert "Pemilu 2024 · Masa kampanye" in words.stdout
    verified = subprocess.run([*run, "verify", str(path), *keys], capture_output=True,
                              text=True, env=cli_env(), cwd=REPO, check=True)
    assert "no stage running" in verified.stdout  # it is not 2024 any more
    assert "pemilu-2024 (Pemilu 2024): 1 stage(s)" in verified.stdout
    assert "2023-11-28T00:00:00+07:00 .. 2024-02-11T00:00:00+07:00  kampanye" in verified.stdout
    assert "pemilu-2029 (Pemilu 2029): no stages yet (scheduled)" in verified.stdout


def test_bad_check_arguments_are_one_line_errors(timed, signer, tmp_path):
    """Six bad invocations, each a one-line error and a non-zero exit."""
    _, _, path = timed
    base = [sys.executable, "-m", "companion", "check", "teks",
            "--trusted-keys", str(signer.trusted_keys)]
    good = ["--rules", str(path)]
    other = tmp_path / "other.bundle.json"
    other.write_bytes(path.read_bytes().replace(b"Saya netral", b"Saya netra1"))
    other.with_name(other.name + ".sig").write_bytes(
        path.with_name(path.name + ".sig").read_bytes())
    for extra, needle in (
        ([*good, "--at", "2024-13-01T00:00:00+07:00"], "not an RFC 3339 timestamp"),
        ([*good, "--at", "2024-01-15T10:00:00"], "has no offset"),
        ([*good, "--at", "kemarin"], "not an RFC 3339 timestamp"),
        ([*good, "--platform", "myspace"], "myspace"),
        ([*good, "--action", "retweet"], "retweet"),
        (["--rules", str(other)], "rejected (bad_signature)"),
    ):
        run = subprocess.run([*base, *extra], capture_output=True, text=True, env=cli_env(),
                             cwd=REPO)
        assert run.returncode != 0, extra
        assert needle in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr


def test_acknowledgements_keep_the_elections_and_refuse_bad_ones(timed):
    client, _, _ = timed
    ack = {"ack_id": str(uuid.uuid4()), "platform": "x", "action": "like",
           "outcome": "cancelled", "entity_ids": ["paslon-2024-02"],
           "election_ids": ["pemilu-2024"], "occurred_at": "2024-01-15T03:00:00Z"}
    assert client.post("/v1/acknowledgements", json=ack).status_code == 201
    items = client.get("/v1/acknowledgements").json()["items"]
    assert items[-1]["election_ids"] == ["pemilu-2024"]
    bad = [["x"] * 21, "pemilu-2024", [1], ["a" * 201]]
    for value in bad:
        answer = client.post("/v1/acknowledgements",
                             json=ack | {"ack_id": str(uuid.uuid4()), "election_ids": value})
        assert answer.status_code == 422, value
        assert any("election_ids" in line for line in answer.json()["detail"])
    assert len(client.get("/v1/acknowledgements").json()["items"]) == len(items)
