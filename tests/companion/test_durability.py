"""Durability: SIGKILL a real `serve` mid-stream; every ack answered 201 survives, chained."""

import threading
import time
import uuid

import httpx


def test_sigkill_during_a_stream_of_acknowledgements_loses_nothing_answered(serve, tmp_path):
    served = serve()
    confirmed: list[str] = []
    stop = threading.Event()

    def stream(client: httpx.Client):
        while not stop.is_set():
            ack_id = str(uuid.uuid4())
            try:
                answer = client.post("/v1/acknowledgements", json={
                    "ack_id": ack_id, "platform": "x", "action": "like",
                    "outcome": "proceeded", "entity_ids": ["paslon-2024-02"],
                    "occurred_at": "2024-01-10T08:00:00Z"})
            except httpx.HTTPError:
                return  # the server died under us: that request was never confirmed
            if answer.status_code == 201:
                confirmed.append(ack_id)

    clients = [served.http() for _ in range(4)]
    writers = [threading.Thread(target=stream, args=(client,)) for client in clients]
    for writer in writers:
        writer.start()
    deadline = time.monotonic() + 10
    while len(confirmed) < 150 and time.monotonic() < deadline:
        time.sleep(0.01)
    served.stop(kill=True)  # SIGKILL while the writers are still sending
    stop.set()
    for writer in writers:
        writer.join(timeout=10)
    assert len(confirmed) >= 150

    again = serve(data_dir=served.data_dir)
    with again.http() as client:
        stored, after = set(), 0
        while after is not None:
            page = client.get("/v1/acknowledgements", params={"after_seq": after,
                                                              "limit": 1000}).json()
            stored |= {item["ack_id"] for item in page["items"]}
            after = page["next_after_seq"]
        verify = client.get("/v1/acknowledgements/verify").json()
    assert set(confirmed) <= stored
    assert verify["ok"] and verify["count"] == len(stored)
    print(f"{len(confirmed)} acknowledgements confirmed before SIGKILL, {len(stored)} stored")
