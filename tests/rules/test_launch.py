"""The entry point's head start: the compile helper of a new large bundle is spawned before the
command line's imports, only when a compile is likely, and a helper nobody used is let go."""

import json
import os
import time

import pytest

from companion import launch
from companion.rules import bundle as bundle_module


@pytest.fixture
def small_threshold(monkeypatch):
    """Bundles of 1 KiB count as large, so the test files stay small."""
    monkeypatch.setattr(launch, "LARGE", 1024)


def big_file(path, size: int = 4096):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"{" + b" " * (size - 2) + b"}")
    return path


def hint(data_dir, path, sha256: str = "a" * 64, compiled: bool = True):
    cache = data_dir / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    stat = path.stat()
    (cache / "startup.json").write_text(json.dumps(
        {str(path.resolve()): [stat.st_size, stat.st_mtime_ns, sha256]}))
    if compiled:
        (cache / f"{sha256}.compiled").write_bytes(b"NETRALC3")


def test_the_guess_uses_the_same_threshold_as_acceptance():
    assert launch.LARGE == bundle_module.CHILD_THRESHOLD


def test_a_large_bundle_not_compiled_before_is_likely_to_compile(tmp_path, small_threshold):
    """9 cases: where the bundle is named (option, option=, environment, rules dir) and what the
    cache says about it (nothing, this very file, a file since changed, a lost compiled file,
    a damaged note); small bundles and missing files never count."""
    data = tmp_path / "data"
    named = big_file(tmp_path / "big.bundle.json")
    args = ["--rules", str(named), "--data-dir", str(data)]
    assert launch.compile_likely(args, {}) is True  # nothing known
    assert launch.compile_likely([f"--rules={named}", f"--data-dir={data}"], {}) is True
    assert launch.compile_likely(["--data-dir", str(data)], {"NETRAL_RULES": str(named)}) is True
    hint(data, named)
    assert launch.compile_likely(args, {}) is False  # the cache compiled this very file
    os.utime(named, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert launch.compile_likely(args, {}) is True  # the file changed since
    hint(data, named, sha256="b" * 64, compiled=False)
    assert launch.compile_likely(args, {}) is True  # the compiled file is gone
    (data / "cache" / "startup.json").write_text("{not json")
    assert launch.compile_likely(args, {}) is True  # a damaged note is no note
    installed = big_file(data / "rules" / "caleg.bundle.json")
    assert launch.compile_likely(["--data-dir", str(data)], {"NETRAL_DATA_DIR": "/elsewhere"})
    hint(data, installed)
    assert launch.compile_likely(["--data-dir", str(data)], {}) is False
    small = tmp_path / "small.bundle.json"
    small.write_text("{}")
    assert launch.compile_likely(["--rules", str(small), "--data-dir", str(tmp_path / "d2")],
                                 {}) is False
    assert launch.compile_likely(["--rules", str(tmp_path / "missing.json"),
                                  "--data-dir", str(tmp_path / "d3")], {}) is False


def test_acceptance_writes_the_note_the_next_guess_reads(kit, key, monkeypatch, small_threshold):
    """A start that compiled a large bundle notes its file; the next start's guess is then "no
    compile" (so a warm start spawns nothing), until the file changes."""
    from companion.rules import manager as manager_module

    monkeypatch.setattr(bundle_module, "CHILD_THRESHOLD", 0)
    monkeypatch.setattr(manager_module, "CHILD_THRESHOLD", 0)
    raw = kit.encode(kit.example())
    path = kit.write_signed(raw, key)
    kit.trusted([key])
    data = kit.tmp_path / "data"
    (data / "rules").mkdir(parents=True)
    args = ["--rules", str(path), "--data-dir", str(data)]
    assert launch.compile_likely(args, {}) is True
    manager = manager_module.RulesManager(None, kit.tmp_path / "trusted_keys.json", data / "rules",
                                          clock=lambda: kit.now, cache_dir=data / "cache")
    manager.load_startup([path])
    assert manager.current is not None
    assert launch.compile_likely(args, {}) is False
    note = (data / "cache" / "startup.json").stat().st_mtime_ns
    manager.load_startup([path])  # the same start again writes nothing
    assert (data / "cache" / "startup.json").stat().st_mtime_ns == note
    path.write_bytes(raw + b"\n")
    assert launch.compile_likely(args, {}) is True


def test_a_spare_helper_is_taken_by_the_compile_or_let_go(kit, key, monkeypatch):
    """spawn_spare() starts the helper's process at once; compile_early compiles in that very
    process; an unused spare is shut down at the end of startup and its process exits."""
    monkeypatch.setattr(bundle_module, "CHILD_THRESHOLD", 0)
    raw = kit.encode(kit.example())
    sig = kit.sig_file(key.signature(raw))
    trusted = kit.trusted([key])
    bundle_module.spawn_spare()
    (spare,) = bundle_module._spare
    deadline = time.monotonic() + 30
    while not spare._processes and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(spare._processes) == 1  # started before anything was asked of it
    bundle_module.compile_early(raw, sig, kit.tmp_path / "trusted_keys.json")
    assert not bundle_module._spare
    pool, _ = bundle_module._early[bundle_module.digest(raw)]
    assert pool is spare
    verified = bundle_module.verify_bundle(raw, sig, trusted, kit.now)
    assert verified.compiled.entity_count == 1
    bundle_module.spawn_spare()
    (unused,) = bundle_module._spare
    while not unused._processes and time.monotonic() < deadline:
        time.sleep(0.05)
    (pid,) = unused._processes
    bundle_module.discard_early()
    assert not bundle_module._spare
    # Gone, and reaped (by the pool's own thread: a join here would race it for the exit status).
    while time.monotonic() < deadline and os.path.exists(f"/proc/{pid}"):
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{pid}")


@pytest.fixture
def no_threshold(monkeypatch, small_threshold):
    """Every bundle counts as large, for the guess and for acceptance."""
    from companion.rules import manager as manager_module

    monkeypatch.setattr(bundle_module, "CHILD_THRESHOLD", 0)
    monkeypatch.setattr(manager_module, "CHILD_THRESHOLD", 0)
    yield
    bundle_module.discard_early()


def started_pools(monkeypatch) -> list:
    """Every compile helper created from now on."""
    pools = []
    original = bundle_module.child_pool

    def counted():
        pools.append(original())
        return pools[-1]

    monkeypatch.setattr(bundle_module, "child_pool", counted)
    return pools


def signed_start(kit, key):
    """A signed example bundle, its trusted keys file and an empty data dir: (bundle, keys, dir)."""
    path = kit.write_signed(kit.encode(kit.example()), key)
    kit.trusted([key])
    data = kit.tmp_path / "data"
    (data / "rules").mkdir(parents=True)
    return path, kit.tmp_path / "trusted_keys.json", data


def start(kit, path, data, trusted_keys):
    """What `serve` does after the entry point's head start: the read-ahead (compile_ahead), then
    acceptance; the manager it accepted with."""
    from companion.rules import manager as manager_module

    manager_module.compile_ahead([path], data / "rules", data / "cache", trusted_keys)
    manager = manager_module.RulesManager(None, trusted_keys, data / "rules",
                                          clock=lambda: kit.now, cache_dir=data / "cache")
    manager.load_startup([path])
    return manager


def test_a_named_bundle_is_compiled_from_the_entry_point_and_taken_over(
    kit, key, monkeypatch, no_threshold
):
    """`serve --rules B` with B not compiled before: the entry point starts B's compile itself
    (no spare waiting for `serve`), in the one helper acceptance then uses."""
    pools = started_pools(monkeypatch)
    path, trusted_keys, data = signed_start(kit, key)
    launch.head_start(["--rules", str(path), "--data-dir", str(data),
                       "--trusted-keys", str(trusted_keys)], {})
    assert len(bundle_module._by_path) == 1 and not bundle_module._spare
    manager = start(kit, path, data, trusted_keys)
    assert manager.current is not None and manager.current.bundle.compiled.entity_count == 1
    assert len(pools) == 1  # the entry point's: acceptance started no other
    assert not bundle_module._by_path and not bundle_module._early


def test_a_file_replaced_after_the_head_start_is_compiled_again(
    kit, key, monkeypatch, no_threshold
):
    """The entry point's child compiled the old bytes; `serve` reads new ones (version 7, two
    entities): those are compiled and accepted, never the old file's tables."""
    pools = started_pools(monkeypatch)
    path, trusted_keys, data = signed_start(kit, key)
    launch.head_start(["--rules", str(path), "--data-dir", str(data)],
                      {"NETRAL_TRUSTED_KEYS": str(trusted_keys)})
    ((_, future),) = bundle_module._by_path.values()
    future.result(timeout=60)  # the old file's tables are ready
    newer = kit.example()
    newer["version"] = 7
    newer["entities"].append({**newer["entities"][0], "id": "second"})
    kit.write_signed(kit.encode(newer), key)
    manager = start(kit, path, data, trusted_keys)
    assert manager.current.bundle.version == 7
    assert manager.current.bundle.compiled.entity_count == 2
    assert len(pools) == 2  # the head start's, then acceptance's own for the new bytes


def test_a_head_start_nobody_takes_is_ended(kit, key, monkeypatch, no_threshold):
    """The guess was wrong (the tables were cached after all): the helper is ended when startup
    finishes, even in the middle of its compile, and its process is gone."""
    path, trusted_keys, data = signed_start(kit, key)
    start(kit, path, data, trusted_keys)  # compiles and caches
    bundle_module.compile_file_early(path, trusted_keys)
    ((pool, compiled),) = bundle_module._by_path.values()
    compiled.result(timeout=60)
    busy = pool.submit(time.sleep, 120)  # a helper still at work (a real compile takes seconds)
    deadline = time.monotonic() + 30
    while not busy.running() and time.monotonic() < deadline:
        time.sleep(0.05)
    (pid,) = pool._processes
    manager = start(kit, path, data, trusted_keys)  # from the cache: compile_early never called
    assert manager.current is not None
    assert not bundle_module._by_path
    deadline = time.monotonic() + 10  # ended, not left to finish its 120 s
    while time.monotonic() < deadline and os.path.exists(f"/proc/{pid}"):
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{pid}")


def test_a_bundle_only_in_the_rules_dir_gets_a_spare_helper(tmp_path, small_threshold):
    """The rules dir's place may be moved by the machine policy, which the entry point does not
    read: it starts a helper that waits for `serve` to name the file, not a compile."""
    data = tmp_path / "data"
    big_file(data / "rules" / "caleg.bundle.json")
    try:
        launch.head_start(["--data-dir", str(data)], {})
        assert len(bundle_module._spare) == 1 and not bundle_module._by_path
        launch.head_start(["--data-dir", str(tmp_path / "empty")], {})  # nothing to compile
        assert len(bundle_module._spare) == 1
    finally:
        bundle_module.discard_early()
