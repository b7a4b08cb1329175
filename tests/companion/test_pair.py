"""Pairing: the code from `netral-companion pair` buys the token once; five wrong codes kill it."""

import re
import sqlite3

import pytest
from companion_testkit import make_client


def pair_code(data_dir, capsys) -> str:
    from companion.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["pair", "--data-dir", str(data_dir)])
    assert exit_info.value.code == 0
    return re.search(r"pairing code: (\S+)", capsys.readouterr().out).group(1)


@pytest.fixture
def app(tmp_path):
    with make_client(tmp_path) as client:
        yield client


def test_right_code_gives_the_token_once(app, tmp_path, capsys):
    code = pair_code(tmp_path, capsys)
    answer = app.post("/v1/pair", json={"code": code})
    assert answer.status_code == 200
    assert answer.json() == {"token": (tmp_path / "token").read_text().strip()}
    assert app.post("/v1/pair", json={"code": code}).json() == {"error": "expired"}


def test_five_wrong_codes_invalidate_the_code(app, tmp_path, capsys):
    code = pair_code(tmp_path, capsys)
    for _ in range(5):
        answer = app.post("/v1/pair", json={"code": "ZZZZ-ZZZZ"})
        assert (answer.status_code, answer.json()) == (403, {"error": "wrong_code"})
    assert app.post("/v1/pair", json={"code": code}).status_code == 410


def test_expired_code(app, tmp_path, capsys):
    code = pair_code(tmp_path, capsys)
    with sqlite3.connect(tmp_path / "netral.db") as conn:
        conn.execute("UPDATE pairing_codes SET expires_at = expires_at - 601")
    answer = app.post("/v1/pair", json={"code": code})
    assert (answer.status_code, answer.json()) == (410, {"error": "expired"})


def test_new_code_replaces_the_old_one(app, tmp_path, capsys):
    old = pair_code(tmp_path, capsys)
    new = pair_code(tmp_path, capsys)
    assert app.post("/v1/pair", json={"code": old}).status_code == 403
    assert app.post("/v1/pair", json={"code": new}).status_code == 200
