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
