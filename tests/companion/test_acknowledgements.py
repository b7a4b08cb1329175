"""The acknowledgement endpoints: idempotent append, 409, paging, verify, pact acceptance."""

import uuid

import pytest


def ack(**fields) -> dict:
    return {"ack_id": str(uuid.uuid4()), "check_id": str(uuid.uuid4()), "platform": "x",
            "action": "share", "outcome": "proceeded", "entity_ids": ["paslon-2024-02"],
            "bundle_id": "pemilu-2024", "rules_version": 1,
            "occurred_at": "2024-01-10T08:00:00+07:00", "justification": None} | fields


def test_retry_with_same_content_is_200_with_the_same_answer(client):
    body = ack()
    first = client.post("/v1/acknowledgements", json=body)
    assert first.status_code == 201
    assert set(first.json()) == {"ack_id", "seq", "hash"}
    again = client.post("/v1/acknowledgements", json=body)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert client.get("/v1/status").json()["acknowledgements"]["count"] == 1


def test_same_ack_id_with_other_content_is_409(client):
    body = ack()
    client.post("/v1/acknowledgements", json=body)
    answer = client.post("/v1/acknowledgements", json=body | {"outcome": "cancelled"})
    assert answer.status_code == 409
    assert answer.json() == {"error": "ack_conflict"}


def test_paging_through_the_log(client):
    ids = [client.post("/v1/acknowledgements", json=ack()).json()["ack_id"] for _ in range(7)]
    seen, after = [], 0
    while after is not None:
        page = client.get("/v1/acknowledgements", params={"after_seq": after, "limit": 3}).json()
        assert len(page["items"]) <= 3
        seen += [item["ack_id"] for item in page["items"]]
        after = page["next_after_seq"]
    assert seen == ids
    item = client.get("/v1/acknowledgements", params={"limit": 1}).json()["items"][0]
    assert item["entity_ids"] == ["paslon-2024-02"]
    assert item["occurred_at"] == "2024-01-10T08:00:00+07:00"
    assert "text" not in item


def test_verify_endpoint(client):
    for _ in range(3):
        client.post("/v1/acknowledgements", json=ack())
    assert client.get("/v1/acknowledgements/verify").json() == {
        "ok": True, "count": 3, "first_bad_seq": None, "losses": []}


def test_pact_acceptance_is_in_the_chain_and_in_status(client):
    pact = client.get("/v1/status").json()["pact"]
    assert {k: v for k, v in pact.items() if k != "text"} == {
        "id": "pakta-netralitas-2024", "title": "Pakta integritas", "accepted_at": None}
    assert pact["text"]  # the first-run page shows what is being signed
    client.post("/v1/acknowledgements", json=ack())
    answer = client.post("/v1/pact/acceptance", json={
        "pact_id": "pakta-netralitas-2024", "name": "Siti Rahayu", "nip": "198001012005011001"})
    assert answer.status_code == 201
    assert answer.json()["seq"] == 2
    status = client.get("/v1/status").json()
    assert status["pact"]["accepted_at"] == answer.json()["accepted_at"]
    assert status["acknowledgements"]["count"] == 1
    verify = client.get("/v1/acknowledgements/verify").json()
    assert verify == {"ok": True, "count": 2, "first_bad_seq": None, "losses": []}
    kinds = [item["kind"] for item in client.get("/v1/acknowledgements").json()["items"]]
    assert kinds == ["acknowledgement", "pact_acceptance"]


def test_pact_acceptance_without_name_or_nip(client):
    for body in ({"pact_id": "p1"}, {"pact_id": "p2", "name": " ", "nip": ""},
                 {"pact_id": "p3", "name": None, "nip": "19800101 200501 1 001"}):
        assert client.post("/v1/pact/acceptance", json=body).status_code == 201
    items = client.get("/v1/acknowledgements").json()["items"]
    assert [(i["name"], i["nip"]) for i in items] == [
        (None, None), (None, None), (None, "198001012005011001")]


@pytest.mark.parametrize(
    "nip", ["1", "19800101200501100", "1980010120050110011", "NIP123456789012345"]
)
def test_a_nip_that_is_not_18_digits_is_a_readable_422(client, nip):
    answer = client.post("/v1/pact/acceptance", json={"pact_id": "p", "nip": nip})
    assert answer.status_code == 422
    assert any(line.startswith("nip:") for line in answer.json()["detail"])


def test_readable_422(client):
    answer = client.post("/v1/acknowledgements", json=ack(ack_id="not-a-uuid", outcome="maybe"))
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"] == "invalid_request"
    assert any(line.startswith("ack_id:") for line in body["detail"])
    assert any(line.startswith("outcome:") and "proceeded" in line for line in body["detail"])


def test_interrupted_and_disputed_outcomes_are_recorded(client):
    assert client.post("/v1/acknowledgements", json=ack(outcome="interrupted")).status_code == 201
    dispute = ack(outcome="disputed", signals=[{"type": "name", "value": "prabowo"},
                                               {"type": "context", "value": "coblos"}],
                  note="Ini berita resmi pemerintah, bukan kampanye.")
    assert client.post("/v1/acknowledgements", json=dispute).status_code == 201
    items = client.get("/v1/acknowledgements").json()["items"]
    assert [i["outcome"] for i in items] == ["interrupted", "disputed"]
    assert items[1]["signals"] == dispute["signals"] and items[1]["note"] == dispute["note"]
    assert items[0]["signals"] == [] and items[0]["note"] is None
    assert client.get("/v1/acknowledgements/verify").json()["ok"] is True
    # Retrying the dispute with another note is a conflict, not a second report.
    other = dispute | {"note": "lain"}
    assert client.post("/v1/acknowledgements", json=other).status_code == 409


@pytest.mark.parametrize(
    "fields",
    [
        {"outcome": "disputed", "note": "x" * 501},
        {"outcome": "disputed", "signals": [{"type": "text", "value": "isi postingan"}]},
        {"outcome": "disputed", "signals": [{"type": "name"}]},
        {"outcome": "disputed", "signals": [{"type": "name", "value": "v"}] * 61},
        {"outcome": "proceeded", "note": "catatan pada keputusan biasa"},
        {"outcome": "cancelled", "signals": []},
        {"outcome": "withdrawn"},
    ],
)
def test_bad_dispute_fields_are_refused_and_nothing_is_stored(client, fields):
    """Seven bad bodies: too long a note, a signal type that would carry post text, a signal
    without its value, too many signals, dispute fields on other outcomes, an unknown outcome."""
    answer = client.post("/v1/acknowledgements", json=ack(**fields))
    assert answer.status_code == 422, fields
    assert client.get("/v1/acknowledgements").json()["items"] == []
