"""The history's entity names and the log's head (GET /v1/acknowledgements, GET /v1/status).

Each item names its entities as the currently accepted bundle does; ids the bundle does not have (or
no longer has) are left out, never guessed: 7 look-alike ids are tried (prefixes, suffixes, two ids
run together, the empty id, a case change, an id with a NUL byte), then 1,000 common substrings of
the bundle's ids in one row, which must not slow the page. The status's
`acknowledgements.head` is the newest row, or null for an empty log.
"""

import json
import time
import uuid

import pytest
from companion_testkit import bundle_payload, make_client, token_headers

from companion.rules.keys import sign_bundle

PAIR = "paslon-2024-02"
PARTY = "partai-contoh"
PAIR_NAME = "Prabowo Subianto – Gibran Rakabuming Raka"
PARTY_NAME = "Partai Contoh Sejahtera"


def entity(entity_id: str, name: str, kind: str = "candidate_pair") -> dict:
    return {"id": entity_id, "kind": kind, "name": name, "names": [name.lower()]}


def ack(entity_ids: list[str]) -> dict:
    return {"ack_id": str(uuid.uuid4()), "platform": "x", "action": "like", "outcome": "cancelled",
            "entity_ids": entity_ids, "bundle_id": "pemilu-2024", "rules_version": 1,
            "occurred_at": "2026-12-01T03:15:00Z"}


@pytest.fixture
def world(tmp_path, signer):
    """A data dir, and a way to start the app on it with a bundle of the given entities."""
    bundles = tmp_path / "bundles"
    bundles.mkdir()
    data_dir = tmp_path / "data"
    started = []

    def start(version: int, entities: list[dict]):
        payload = bundle_payload(version)
        payload["entities"] = entities
        path = bundles / f"names-v{version}.bundle.json"
        path.write_text(json.dumps(payload), encoding="utf-8")
        sign_bundle(path, signer.key)
        client = make_client(data_dir, rules=[path], trusted_keys=signer.trusted_keys)
        client.__enter__()
        started.append(client)
        client.headers.update(token_headers(data_dir))
        return client

    def stop(client) -> None:
        started.remove(client)
        client.__exit__(None, None, None)

    start.stop = stop
    yield start
    for client in started:
        client.__exit__(None, None, None)


def names_of(client) -> list[dict]:
    response = client.get("/v1/acknowledgements", params={"limit": 1000})
    assert response.status_code == 200, response.text
    return [item["entity_names"] for item in response.json()["items"]]


def test_each_item_names_its_entities_from_the_accepted_bundle(world):
    client = world(1, [entity(PAIR, PAIR_NAME), entity(PARTY, PARTY_NAME, "party")])
    client.post("/v1/acknowledgements", json=ack([PAIR, PARTY])).raise_for_status()
    client.post("/v1/acknowledgements", json=ack([PARTY])).raise_for_status()
    client.post("/v1/acknowledgements", json=ack([])).raise_for_status()
    client.post("/v1/pact/acceptance", json={"pact_id": "pakta-netralitas-2024"}).raise_for_status()
    assert names_of(client) == [{PAIR: PAIR_NAME, PARTY: PARTY_NAME}, {PARTY: PARTY_NAME}, {}, {}]


def test_look_alike_ids_get_no_name(world):
    """7 ids that are not the bundle's but share its bytes: none borrows a name."""
    client = world(1, [entity(PAIR, PAIR_NAME), entity(PARTY, PARTY_NAME, "party")])
    look_alikes = [PAIR[:-1], PAIR[1:], PAIR + PARTY, PAIR[-3:] + PARTY[:4], "", PAIR.upper(),
                   PAIR + "\u0000"]
    for entity_id in look_alikes:
        client.post("/v1/acknowledgements", json=ack([entity_id, PARTY])).raise_for_status()
    assert names_of(client) == [{PARTY: PARTY_NAME}] * len(look_alikes)


def test_names_follow_the_current_bundle_and_drop_ids_it_no_longer_has(world):
    first = world(1, [entity(PAIR, PAIR_NAME), entity(PARTY, PARTY_NAME, "party")])
    first.post("/v1/acknowledgements", json=ack([PAIR, PARTY])).raise_for_status()
    world.stop(first)
    # Version 2 renames the pair and no longer lists the party: the row keeps its ids, the names
    # come from the bundle accepted now.
    second = world(2, [entity(PAIR, "Pasangan Calon 02")])
    items = second.get("/v1/acknowledgements").json()["items"]
    assert items[0]["entity_ids"] == [PAIR, PARTY]
    assert items[0]["entity_names"] == {PAIR: "Pasangan Calon 02"}


def test_names_are_found_among_many_entities(world):
    """Ids at the start, the middle and the end of a 5,000-entity bundle, and one it lacks."""
    entities = [entity(f"caleg-{i:05d}", f"Calon {i}", "candidate") for i in range(5000)]
    client = world(1, entities)
    wanted = ["caleg-00000", "caleg-02500", "caleg-04999", "caleg-05000"]
    client.post("/v1/acknowledgements", json=ack(wanted)).raise_for_status()
    assert names_of(client) == [{"caleg-00000": "Calon 0", "caleg-02500": "Calon 2500",
                                 "caleg-04999": "Calon 4999"}]


def test_status_head_is_the_newest_row_or_null(world):
    client = world(1, [entity(PAIR, PAIR_NAME)])
    assert client.get("/v1/status").json()["acknowledgements"]["head"] is None
    answers = [client.post("/v1/acknowledgements", json=ack([PAIR])).json() for _ in range(3)]
    head = client.get("/v1/status").json()["acknowledgements"]["head"]
    assert head == {"seq": answers[-1]["seq"], "hash": answers[-1]["hash"]} == {"seq": 3,
                                                                              "hash": head["hash"]}
    # A retry of an acknowledgement already stored is answered with its own row, not a new head.
    again = client.post("/v1/acknowledgements", json=ack([PAIR]) | {"ack_id": answers[0]["ack_id"]})
    assert again.status_code == 200 and again.json() == answers[0]
    assert client.get("/v1/status").json()["acknowledgements"]["head"] == head
    pact = client.post("/v1/pact/acceptance", json={"pact_id": "pakta-netralitas-2024"}).json()
    assert client.get("/v1/status").json()["acknowledgements"]["head"] == {
        "seq": pact["seq"], "hash": pact["hash"]}


def test_a_row_of_common_substrings_does_not_slow_the_history(world):
    """1,000 distinct ids that are each a substring of thousands of the bundle's ids ("0", "caleg-",
    "1-0"…): the page answers in well under a second (a search through the id blob took seconds)."""
    client = world(1, [entity(f"caleg-{i:05d}", f"Calon {i}", "candidate") for i in range(5000)])
    parts = [str(i % 10) for i in range(10)] + ["caleg-", "aleg-0", "-0"]
    spelled = (f"{a}{b}{c}" for a in parts for b in parts for c in parts)
    look_alikes = list(dict.fromkeys(spelled))[:1000]
    client.post("/v1/acknowledgements", json=ack(look_alikes)).raise_for_status()
    started = time.perf_counter()
    assert names_of(client) == [{}]
    assert time.perf_counter() - started < 1.0
