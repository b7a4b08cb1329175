"""Check, batch, status and selectors against an accepted bundle; 503 without one."""

import uuid

from companion_testkit import make_client, token_headers

POST = {"author_handle": "someone", "text": "Gibran hadir, coblos nomor urut 2", "hashtags": []}


def test_check_answers_the_spec_shape(client):
    answer = client.post("/v1/check", json={
        "platform": "x", "action": "share", "post": POST, "draft_text": None, "lang": "en"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["verdict"] == "block"  # the entity's own policy for share
    uuid.UUID(body["check_id"])
    match = body["matches"][0]
    assert match["entity_id"] == "paslon-2024-02"
    assert {"type": "weak_name", "value": "gibran"} in match["signals"]
    assert body["legal_refs"][0]["id"] == "skb-2-2022"
    assert body["message"]["title"] == "Careful"
    assert body["rules"] == {"bundle_id": "pemilu-2024", "version": 1,
                             "epoch": client.get("/v1/status").json()["rules"]["epoch"]}
    assert (match["election"], body["matches_truncated"]) == (None, 0)  # a bundle without elections


def test_allow_has_no_message(client):
    body = client.post("/v1/check", json={
        "platform": "instagram", "action": "like", "post": {"text": "Selamat pagi"}}).json()
    assert (body["verdict"], body["matches"], body["message"]) == ("allow", [], None)


def test_batch_keeps_order_and_caps_at_200(client):
    items = [{"platform": "x", "action": "like", "post": {"text": text}}
             for text in ["Selamat pagi", "Mari dukung PR4BOWO!", "Aamiin"]]
    results = client.post("/v1/check/batch", json={"items": items}).json()["results"]
    assert [result["verdict"] for result in results] == ["allow", "warn", "allow"]
    too_many = {"items": [items[0]] * 201}
    answer = client.post("/v1/check/batch", json=too_many)
    assert answer.status_code == 422
    assert any("200" in line for line in answer.json()["detail"])


def test_text_over_20000_characters_is_422(client):
    answer = client.post("/v1/check", json={
        "platform": "x", "action": "like", "post": {"text": "a" * 20_001}})
    assert answer.status_code == 422
    assert "20000" in answer.json()["detail"][0]


def test_status_describes_the_accepted_bundle(client):
    rules = client.get("/v1/status").json()["rules"]
    assert rules["bundle_id"] == "pemilu-2024" and rules["version"] == 1
    assert rules["expired"] is False
    assert rules["signed_by"] == ["test-demo"]
    assert rules["entities"] == 1
    assert len(rules["sha256"]) == 64


def test_no_rules_means_503_and_null(tmp_path):
    with make_client(tmp_path, rules=[tmp_path / "missing.bundle.json"]) as client:
        client.headers.update(token_headers(tmp_path))
        answer = client.post("/v1/check", json={"platform": "x", "action": "like", "post": {}})
        assert (answer.status_code, answer.json()) == (503, {"error": "no_rules"})
        assert client.post("/v1/check/batch", json={"items": []}).status_code == 503
        status = client.get("/v1/status").json()
        assert status["rules"] is None and status["pact"] is None
        assert client.get("/v1/rules/selectors", params={"platform": "x"}).json() is None


def test_selectors_come_from_the_bundle(tmp_path, signer):
    table = {"x": {"controls": {"like": "[data-testid=like]"}}}
    bundle = signer.bundle(tmp_path, 1, selectors=table)
    with make_client(tmp_path / "data", rules=[bundle], trusted_keys=signer.trusted_keys) as c:
        c.headers.update(token_headers(tmp_path / "data"))
        assert c.get("/v1/rules/selectors", params={"platform": "x"}).json() == table["x"]
        assert c.get("/v1/rules/selectors", params={"platform": "tiktok"}).json() is None
        assert c.get("/v1/rules/selectors", params={"platform": "myspace"}).status_code == 422


def test_undecodable_bodies_are_readable_422s(client):
    json_type = {"Content-Type": "application/json"}
    for body, reason in [(b'{"platform": ', "not valid JSON"), (b"\x8d\xff", "parsing the body")]:
        answer = client.post("/v1/check", content=body, headers=json_type)
        assert answer.status_code == 422
        assert answer.json()["error"] == "invalid_request"
        assert reason in answer.json()["detail"][0]
