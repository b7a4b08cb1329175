"""RulesManager: the accepted bundle and its matcher, swapped atomically when a newer arrives."""

import hashlib
import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from companion.rules.bundle import (
    CHILD_THRESHOLD,
    BundleRejected,
    TrustedKeys,
    VerifiedBundle,
    await_early,
    check_rollback,
    compile_early,
    digest,
    discard_early,
    load_trusted_keys,
    prove,
    read_bundle_files,
    run_early,
    verify_bundle,
)
from companion.rules.compiled import CompiledCache
from companion.rules.matcher import Matcher
from companion.store import Store

log = logging.getLogger("netral.rules")

MAX_DOWNLOAD = 64 * 1024 * 1024 + 1  # one byte over the cap, so verify_bundle names it too_large


@dataclass(frozen=True)
class Loaded:
    """An accepted bundle and the matcher built from it; never mutated, only replaced."""

    bundle: VerifiedBundle
    matcher: Matcher

    def epoch(self, at: datetime) -> str:
        """Changes with the bundle and with the set of running stages and active entities, so a
        client drops its cached verdicts at a stage boundary (status `rules.epoch`)."""
        state = self.matcher.timeline.state_at(at.timestamp())
        return f"{self.bundle.sha256[:16]}.{state.key}"


def _rank(bundle: VerifiedBundle) -> tuple[datetime, int]:
    return datetime.fromisoformat(bundle.issued_at.replace("Z", "+00:00")), bundle.version


def _stamp(path: Path) -> tuple:
    """What the watcher compares between scans: mtime and size of the bundle and of its .sig."""
    stamps = []
    for file in (path, path.with_name(path.name + ".sig")):
        try:
            info = file.stat()
            stamps.append((info.st_mtime_ns, info.st_size))
        except OSError:
            stamps.append(None)
    return tuple(stamps)


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.partial")
    with open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)


def _fetch(url: str) -> bytes:
    import urllib.request  # only with --rules-url: `serve` starts without it

    with urllib.request.urlopen(url, timeout=30) as answer:
        return answer.read(MAX_DOWNLOAD)


def compile_ahead(
    paths: list[Path], rules_dir: Path, cache_dir: Path, trusted_keys_path: Path | None
) -> None:
    """Prepare each large startup bundle's acceptance in a thread, while `serve` imports its web
    stack; RulesManager.load_startup waits for it (await_early) and takes the results over."""
    if trusted_keys_path is not None:
        run_early(_prepare, paths, rules_dir, cache_dir, trusted_keys_path, name="netral-ahead")


def _prepare(paths: list[Path], rules_dir: Path, cache_dir: Path, trusted_keys_path: Path) -> None:
    """Read each large startup bundle and hash it (both release the GIL); start the child compile
    of one the cache lacks (compile_early), else decode its cached tables (load_ahead) and check
    its signatures (prove). Acceptance still does every step: this only saves it the waiting."""
    cache = CompiledCache(cache_dir)
    for path in [*paths, *sorted(rules_dir.glob("*.bundle.json"))]:
        try:
            if path.stat().st_size < CHILD_THRESHOLD:
                continue
            raw, sig = read_bundle_files(path)
        except (OSError, BundleRejected):
            continue  # load_startup says why
        # The child's pending work item holds these bytes: load_startup uses the same ones rather
        # than a second 56 MB copy of the file.
        _read_ahead[path] = (raw, sig)
        try:
            if cache.load_ahead(digest(raw, remember=True)):
                prove(raw, sig, trusted_keys_path)
            else:
                # The child checks the signatures itself before it parses; acceptance checks them
                # again while the child compiles, on the core this thread would take from it now.
                compile_early(raw, sig, trusted_keys_path, path)
        except Exception as error:  # e.g. no process could be started: acceptance does it all
            log.warning("could not prepare %s ahead (%s); it is accepted without", path, error)


_read_ahead: dict[Path, tuple[bytes, bytes]] = {}


class RulesManager:
    """Holds `current` (Loaded or None); offers come from startup, install, watcher and poller."""

    def __init__(
        self,
        store: Store | None,
        trusted_keys_path: Path | None,
        rules_dir: Path,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        cache_dir: Path | None = None,
        *,
        record: bool = True,
    ):
        self.current: Loaded | None = None
        self._store = store
        self._rules_dir = rules_dir
        self._cache = CompiledCache(cache_dir) if cache_dir else None
        self._clock = clock
        # A preview (`check`) reads the rollback state, if there is a store, but never writes it.
        self._record = record and store is not None
        self._lock = threading.Lock()  # one offer at a time: startup, watcher, poller, install
        self._seen: dict[Path, tuple] = {}
        self._last_remote: tuple[str, str] | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._trusted: TrustedKeys | None = None
        self._trusted_error: BundleRejected | None = None
        if trusted_keys_path is None:
            self._trusted_error = BundleRejected(
                "no_trusted_keys", "no trusted keys file; set --trusted-keys or NETRAL_TRUSTED_KEYS"
            )
        else:
            try:
                self._trusted = load_trusted_keys(trusted_keys_path)
            except BundleRejected as error:
                self._trusted_error = error

    def _verify(self, raw: bytes, sig: bytes) -> VerifiedBundle:
        """Acceptance steps 1-4 (signature before parsing), without the rollback step."""
        if self._trusted is None:
            raise self._trusted_error
        return verify_bundle(raw, sig, self._trusted, self._clock(), self._cache)

    def _accept(self, raw: bytes, sig: bytes) -> VerifiedBundle:
        """All five acceptance steps; step 5 compares with the versions persisted in the store."""
        bundle = self._verify(raw, sig)
        check_rollback(self._previous(bundle.bundle_id), bundle)
        return bundle

    def _previous(self, bundle_id: str) -> tuple[int, str] | None:
        return self._store.accepted_bundle(bundle_id) if self._store is not None else None

    def now(self) -> datetime:
        """The companion's clock (settings.clock): expiry, and which stages are running."""
        return self._clock()

    def _consider(
        self, bundle: VerifiedBundle, source: str, *, background: bool = False
    ) -> Loaded | None:
        """Swap in an accepted bundle if it is newer than the current one; `background` builds
        its automaton after the swap (startup: nothing to keep answering meanwhile), else before."""
        current = self.current
        if current and current.bundle.sha256 == bundle.sha256:
            return None
        if current and _rank(bundle) <= _rank(current.bundle):
            log.info("kept %s version %s: %s is not newer", current.bundle.bundle_id,
                     current.bundle.version, source)
            return None
        loaded = Loaded(bundle, Matcher(bundle.compiled, background=background))
        if self._record:
            self._store.record_accepted_bundle(bundle.bundle_id, bundle.version, bundle.sha256)
        # One reference assignment: a request in flight keeps the Loaded it already read.
        self.current = loaded
        log.info("rules: %s version %s (%d entities) from %s", bundle.bundle_id, bundle.version,
                 loaded.matcher.entity_count, source)
        return loaded

    def offer(self, raw: bytes, sig: bytes, source: str) -> Loaded | None:
        """Accept a bundle and swap it in if newer (else None); BundleRejected if unacceptable."""
        with self._lock:
            return self._consider(self._accept(raw, sig), source)

    def install(self, path: Path) -> VerifiedBundle:
        """Verify a bundle file (all five steps), record its version, copy it into the rules dir."""
        raw, sig = read_bundle_files(path)
        with self._lock:
            bundle = self._accept(raw, sig)
            self._store.record_accepted_bundle(bundle.bundle_id, bundle.version, bundle.sha256)
            self._save(raw, sig, bundle)
        return bundle

    def _save(self, raw: bytes, sig: bytes, bundle: VerifiedBundle) -> Path:
        name = re.sub(r"[^A-Za-z0-9._-]", "_", bundle.bundle_id) + ".bundle.json"
        path = self._rules_dir / name
        _write_atomically(path.with_name(name + ".sig"), sig)
        _write_atomically(path, raw)
        self._seen[path] = _stamp(path)
        return path

    def load_startup(self, paths: list[Path], *, rules_dir: bool = True) -> None:
        """Accept the newest (issued_at) valid bundle among `paths` and (unless `rules_dir` is
        False) the rules dir's bundles."""
        await_early()
        with self._lock:
            candidates, hashes, large = [], set(), {}
            installed = sorted(self._rules_dir.glob("*.bundle.json")) if rules_dir else []
            for path in [*paths, *installed]:
                if path.parent == self._rules_dir:
                    self._seen[path] = _stamp(path)
                try:
                    raw, sig = _read_ahead.pop(path, None) or read_bundle_files(path)
                    sha256 = digest(raw)
                    if len(raw) >= CHILD_THRESHOLD:
                        large[path] = sha256
                    if sha256 in hashes:
                        continue
                    hashes.add(sha256)
                    candidates.append((self._verify(raw, sig), path))
                except BundleRejected as error:
                    log.warning("ignored %s: %s (%s)", path, error.reason, error.detail)
            discard_early()
            CompiledCache.discard_ahead()
            _read_ahead.clear()
            for bundle, path in sorted(candidates, key=lambda item: _rank(item[0]), reverse=True):
                try:
                    check_rollback(self._previous(bundle.bundle_id), bundle)
                except BundleRejected as error:
                    log.warning("ignored %s: %s (%s)", path, error.reason, error.detail)
                    continue
                self._consider(bundle, str(path), background=True)
                break
            if self._cache is not None and large:
                self._cache.remember_startup(large)  # the next start's guess (companion.launch)
        if self.current is None:
            log.warning("no rules bundle accepted: /v1/check answers 503 until one is installed "
                        "with `netral-companion install-rules BUNDLE`")

    def listening(self) -> None:
        """`serve` accepts connections now: build the startup bundle's automaton (load_startup
        left it for now, so that the line came sooner)."""
        current = self.current
        if current is not None:
            current.matcher.start_build()

    def scan_rules_dir(self) -> None:
        """Offer each bundle in the rules dir whose file or .sig changed since the last scan."""
        for path in sorted(self._rules_dir.glob("*.bundle.json")):
            stamp = _stamp(path)
            if self._seen.get(path) == stamp:
                continue
            self._seen[path] = stamp
            try:
                self.offer(*read_bundle_files(path), str(path))
            except BundleRejected as error:
                log.warning("ignored %s: %s (%s)", path, error.reason, error.detail)

    def poll_url(self, url: str) -> None:
        """Fetch URL and URL.sig; offer them if changed; keep an accepted copy for later starts."""
        try:
            raw, sig = _fetch(url), _fetch(url + ".sig")
        except OSError as error:
            log.warning("rules URL %s unreachable (%s); keeping the current rules", url, error)
            return
        fingerprint = (hashlib.sha256(raw).hexdigest(), hashlib.sha256(sig).hexdigest())
        if fingerprint == self._last_remote:
            return
        self._last_remote = fingerprint
        try:
            loaded = self.offer(raw, sig, url)
        except BundleRejected as error:
            log.warning("ignored %s: %s (%s)", url, error.reason, error.detail)
            return
        if loaded:
            with self._lock:
                self._save(raw, sig, loaded.bundle)

    def _every(self, seconds: float, job: Callable[[], None]) -> None:
        while True:
            try:
                job()
            except Exception:  # a watcher must outlive any surprise; log it and keep watching
                log.exception("rules watcher failed; retrying")
            if self._stop.wait(seconds):
                return

    def start(self, watch_seconds: float, rules_url: str | None, poll_seconds: float) -> None:
        jobs = [(watch_seconds, self.scan_rules_dir)]
        if rules_url:
            jobs.append((poll_seconds, lambda: self.poll_url(rules_url)))
        for seconds, job in jobs:
            thread = threading.Thread(target=self._every, args=(seconds, job), daemon=True,
                                      name="netral-rules")
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
