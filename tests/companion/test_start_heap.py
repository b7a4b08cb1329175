"""`serve` starts without the cyclic collector and, once it listens, freezes the heap it built:
no start pays for collections of objects that all live on, and no later request stalls for a full
pass over them. A compile helper never turns the collector on."""

import gc
import json
import subprocess
import sys
import textwrap
import weakref

import httpx

from companion.rules.bundle import child_pool
from companion.rules.manager import RulesManager
from companion.store import Store
from tests.companion.companion_testkit import REPO, cli_env, token_headers

# The real entry point (`python -m companion serve`), run by a wrapper that reports, on stderr,
# every collection as it starts and, once the heap is frozen, how much of it is.
PROBE = textwrap.dedent("""
    import gc, json, sys, threading, time

    def report(phase, info):
        if phase == "start":
            print(json.dumps({"collection": info["generation"],
                              "frozen": gc.get_freeze_count()}), file=sys.stderr, flush=True)

    gc.callbacks.append(report)

    def watch():
        deadline = time.monotonic() + 60
        while not (gc.get_freeze_count() and gc.isenabled()) and time.monotonic() < deadline:
            time.sleep(0.01)
        print(json.dumps({"frozen": gc.get_freeze_count(), "enabled": gc.isenabled()}),
              file=sys.stderr, flush=True)
        kept = [[] for _ in range(5000)]  # young objects that live on: the collector must run
        print(json.dumps({"kept": len(kept)}), file=sys.stderr, flush=True)

    threading.Thread(target=watch, daemon=True).start()
    sys.argv = ["netral-companion", *sys.argv[1:]]
    from companion.launch import main
    gc.collect()  # the young count back to 0: no pass can fall between the mark and gc.disable()
    print(json.dumps({"main": True}), file=sys.stderr, flush=True)
    main()
""")


def test_serve_starts_without_collections_and_freezes_its_heap_once_listening(tmp_path):
    data = tmp_path / "data"
    log = tmp_path / "serve.log"
    with open(log, "wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-c", PROBE, "serve", "--port", "0", "--data-dir", str(data)],
            stdout=subprocess.PIPE, stderr=stderr, env=cli_env(), cwd=REPO)
    try:
        line = process.stdout.readline().decode()
        assert line.startswith("listening on http://127.0.0.1:"), log.read_text()
        url = line.split()[-1]
        with httpx.Client(base_url=url, headers=token_headers(data), timeout=10) as client:
            for _ in range(50):  # requests on the frozen heap
                client.post("/v1/check", json={"platform": "x", "action": "like",
                                               "post": {"text": "Coblos Prabowo " * 40}})
            assert client.get("/v1/status").json()["rules"]["bundle_id"] == "netral-default"
    finally:
        process.terminate()
        process.wait(timeout=10)
    events = [json.loads(text) for text in log.read_text().splitlines() if text.startswith("{")]
    events = events[events.index({"main": True}) + 1:]  # not the interpreter's own start
    state = next(event for event in events if "enabled" in event)
    assert state["enabled"] is True
    assert state["frozen"] > 20_000  # the web stack and the rules, all of it (~100k here)
    # From the entry point on, every collection came after the freeze: none while starting, and
    # none over the frozen heap; the probe's 5,000 kept objects do make it run again.
    collections = [event for event in events if "collection" in event]
    assert collections, "no collection at all: the collector was never turned back on"
    # (The frozen count only falls a little, as frozen objects are freed.)
    assert all(event["frozen"] > 20_000 for event in collections), collections


def test_a_compile_helper_runs_without_the_collector_and_the_parent_keeps_it():
    """The helper's imports and its one compile run without the collector; it dies after."""
    with child_pool() as pool:
        assert pool.submit(gc.isenabled).result() is False
    assert gc.isenabled()


def test_a_bundle_swapped_in_after_the_freeze_frees_the_one_it_replaces(tmp_path, signer):
    """Frozen objects are never collected: were the startup bundle's objects in a reference
    cycle, a hot swap would keep them (the full-election tables and automaton: ~150 MB) for
    good. They are freed by their reference counts alone."""
    (tmp_path / "rules").mkdir()
    store = Store(tmp_path / "netral.db")
    manager = RulesManager(store, signer.trusted_keys, tmp_path / "rules")
    try:
        manager.load_startup([signer.bundle(tmp_path, 1)])
        manager.listening()
        current = manager.current
        assert current.matcher.match(platform="x", action="like",
                                     post={"text": "Coblos Prabowo"}).matches
        old = [weakref.ref(current), weakref.ref(current.matcher),
               weakref.ref(current.bundle.compiled)]
        del current
        gc.freeze()  # as `serve` does once it listens
        newer = signer.bundle(tmp_path, 2)
        manager.offer(newer.read_bytes(), newer.with_name(newer.name + ".sig").read_bytes(),
                      str(newer))
        assert manager.current.bundle.version == 2
        assert [ref() for ref in old] == [None, None, None]
    finally:
        gc.unfreeze()
        manager.stop()
        store.close()
