"""Benchmark of the companion at election scale: one run prints every figure and its target.

Builds the full bundle (netral-default's entities plus all 258,229 legislative candidates of
../shared/data/caleg2024.csv.gz as weak names), signs it with a throwaway key, then measures
acceptance and matcher build in process, a real `serve` process (startup to listening, RSS, cold
and with the compiled cache), in-process checks, loopback HTTP checks next to /v1/health on a
kept-alive and on a fresh connection, and acknowledgements per second.

Every entity of that bundle belongs to pemilu-2024, whose stages ended in 2024: today a check
finds nothing active and answers at once. So that the figures show the full work an election
period costs, in-process checks run at an instant of the 2024 campaign, and the served bundle is
a copy with one more pemilu-2024 stage open around the bench's own run ("bench"), re-signed with
the throwaway key. The "today" rows show what a check costs between elections.

    python bench/companion.py [--requests 2000] [--checks 5000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import compileall
import csv
import gzip
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from companion.answers import check_answer  # noqa: E402
from companion.rules.bundle import load_trusted_keys, read_bundle_files, verify_bundle  # noqa: E402
from companion.rules.compiled import CompiledCache  # noqa: E402
from companion.rules.keys import keygen, sign_bundle  # noqa: E402
from companion.rules.manager import Loaded  # noqa: E402
from companion.rules.matcher import Matcher  # noqa: E402
from shared_rules.generate import CALEG_CSV, build_rules, clean_person_name, dumps  # noqa: E402

CAMPAIGN = datetime(2024, 1, 15, 10, tzinfo=timezone(timedelta(hours=7)))

FILLER = (  # noqa: SIM905 - reads as the text it is
    "hari ini warga berkumpul di balai desa untuk kerja bakti membersihkan saluran air dan "
    "menanam pohon di sepanjang jalan utama semoga lingkungan kita tetap bersih dan sehat "
    "jangan lupa bawa cangkul dan karung terima kasih untuk ibu ibu yang menyiapkan makanan "
).split()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) of a process itself, and of its children it has reaped: on a
    shared machine these change with the load far less than the wall-clock figures."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """VmRSS (resident now) or VmHWM (peak resident) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field}")


class ChildPeaks(threading.Thread):
    """Polls the peak RSS (VmHWM) of every child of `pid` until stopped: the compile child
    exits before `serve` prints its line, so its peak is read while it lives."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peaks, self.done = pid, {}, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.01):
            for stat in Path("/proc").glob("[0-9]*/stat"):
                try:
                    if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == self.pid:
                        child = int(stat.parent.name)
                        self.peaks[child] = max(self.peaks.get(child, 0),
                                                rss_mb(child, "VmHWM"))
                except (OSError, ValueError, IndexError, RuntimeError):
                    continue

    def peak(self) -> float:
        self.done.set()
        self.join()
        return max(self.peaks.values(), default=0.0)


def candidate_names(count: int, rng: random.Random) -> list[str]:
    """Ballot names as people write them: without titles, in title case."""
    with gzip.open(CALEG_CSV, "rt", encoding="utf-8") as rows:
        names = [row["nama"] for row in csv.DictReader(rows)]
    return [clean_person_name(rng.choice(names))[0].title() for _ in range(count)]


def make_post(length: int, names: list[str], rng: random.Random, mentions: int) -> str:
    """Filler Indonesian text of `length` characters naming `mentions` candidates, a third of the
    posts with the context word "coblos" (which confirms every weak name in them)."""
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < length:
        words.append(rng.choice(FILLER))
    for _ in range(mentions):
        words.insert(rng.randrange(len(words)), rng.choice(names))
    if rng.random() < 1 / 3:
        words.insert(rng.randrange(len(words)), "coblos")
    text = " ".join(words)
    return text[: text.rfind(" ", 0, length) if len(text) > length else length]


@contextmanager
def serve(data_dir: Path, bundle: Path, trusted: Path, first: str = "Coblos Prabowo"):
    """A real `python -m companion serve` on a free port; yields (base_url, token, seconds, pid,
    peak RSS of its children until listening, seconds of the first check sent right after the
    line, CPU seconds of serve and of its reaped compile child until the line). That check
    carries `first`, which names a candidate: the automaton is built after the line, so this check
    waits for it, and it must not answer allow."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "companion", "serve", "--port", "0", "--data-dir", str(data_dir),
         "--rules", str(bundle), "--trusted-keys", str(trusted)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=REPO,
    )
    children = ChildPeaks(process.pid)
    children.start()
    try:
        line = process.stdout.readline()
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(process.pid)
        child_peak = children.peak()
        if not line.startswith("listening on "):
            raise RuntimeError(f"serve did not start: {line!r}")
        token = (data_dir / "token").read_text().strip()
        url = line.split()[-1]
        started = time.perf_counter()
        answer = httpx.post(f"{url}/v1/check", headers={"Authorization": f"Bearer {token}"},
                            json={"platform": "x", "action": "like", "post": {"text": first}},
                            timeout=30)
        first_check = time.perf_counter() - started
        if answer.json().get("verdict") == "allow":
            raise RuntimeError(f"the first check after listening answered allow for {first!r}")
        yield url, token, elapsed, process.pid, child_peak, first_check, cpu
    finally:
        process.terminate()
        process.wait(timeout=30)


def with_open_stage(bundle_path: Path, key: Path) -> Path:
    """A copy of the bundle whose pemilu-2024 has one more stage, open now, signed by `key`."""
    data = json.loads(bundle_path.read_bytes())
    now = datetime.now(UTC).replace(microsecond=0)
    for election in data["elections"]:
        if election["id"] == "pemilu-2024":
            election["stages"].append({
                "id": "bench", "name": "bench: open while the benchmark runs",
                "from": (now - timedelta(days=1)).isoformat(),
                "until": (now + timedelta(days=1)).isoformat()})
    path = bundle_path.with_name("bench-open-stage.bundle.json")
    path.write_bytes(dumps(data, compact=True))
    sign_bundle(path, key)
    return path


class Loopback:
    """The thinnest HTTP/1.1 client: prebuilt request bytes on one TCP_NODELAY socket, answers read
    by Content-Length. httpx added ~2 ms to each request's p50 here and more to its tail, so the
    HTTP rows timed with it were partly the client's; these are the companion's and the loopback's.
    """

    def __init__(self, url: str, token: str) -> None:
        self.host, port = url.removeprefix("http://").rsplit(":", 1)
        self.port = int(port)
        self.token = token
        self.sock: socket.socket | None = None
        self.buffer = b""

    def request(self, method: str, path: str, body: dict | None = None,
                close: bool = False) -> bytes:
        """The bytes of one request (built outside the timed part)."""
        data = b"" if body is None else json.dumps(body).encode()
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                f"Authorization: Bearer {self.token}"]
        if body is not None:
            head += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
        if close:
            head.append("Connection: close")
        return ("\r\n".join(head) + "\r\n\r\n").encode() + data

    def send(self, request: bytes) -> tuple[int, bytes]:
        """(status, body) of one request, on the open connection (opened if there is none)."""
        if self.sock is None:
            self.sock = socket.create_connection((self.host, self.port), timeout=10)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._read()
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        fields = dict(line.lower().split(b":", 1) for line in lines[1:])
        length = int(fields[b"content-length"])
        while len(rest) < length:
            rest += self._read()
        self.buffer = rest[length:]
        return int(lines[0].split()[1]), rest[:length]

    def _read(self) -> bytes:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the companion closed the connection mid-answer")
        return chunk

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock, self.buffer = None, b""


def timed_send(client: Loopback, request: bytes, close: bool = False) -> float:
    """Seconds of one request (and, with close, of its connection's set-up); raises unless 200."""
    started = time.perf_counter()
    status, body = client.send(request)
    elapsed = time.perf_counter() - started
    if close:
        client.close()
    if status != 200:
        raise RuntimeError(f"the companion answered {status}: {body[:200]!r}")
    return elapsed


def timed_requests(client: httpx.Client, count: int, request) -> list[float]:
    times = []
    for i in range(count):
        started = time.perf_counter()
        answer = request(i)
        times.append(time.perf_counter() - started)
        answer.raise_for_status()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="HTTP requests per figure")
    parser.add_argument("--checks", type=int, default=5000, help="in-process checks per figure")
    parser.add_argument("--keep", type=Path, help="work in DIR and keep it (default: a temp dir)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="netral-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2024)
    rows: list[tuple[str, str, str]] = []

    def row(what: str, figure: str, target: str = "") -> None:
        rows.append((what, figure, target))
        print(f"  {what:<46} {figure:>16}  {target}", flush=True)

    print(f"work dir: {work}")
    # Every install runs on bytecode: pip compiles a package when it installs it, and the frozen
    # exe carries it. An editable checkout in an environment with PYTHONDONTWRITEBYTECODE=1 (this
    # machine's) never writes it, and each start of `serve` would compile the companion's sources
    # again (0.1–0.2 s here); so the bench writes it first, as an install would.
    for package in ("companion", "shared_rules"):
        compileall.compile_dir(REPO / package, quiet=1)
    shutil.rmtree(work / "keys", ignore_errors=True)
    key, _ = keygen("bench-throwaway", work / "keys")
    started = time.perf_counter()
    bundle_path = next(p for p in build_rules(work / "rules", caleg=True, keys=[key])
                       if "caleg" in p.name)
    trusted_path = work / "rules" / "trusted_keys.json"
    print(f"built {bundle_path.name} ({bundle_path.stat().st_size / 2**20:.1f} MiB) "
          f"in {time.perf_counter() - started:.1f} s")

    print("\nacceptance and matcher (in process)")
    raw, sig = read_bundle_files(bundle_path)
    trusted = load_trusted_keys(trusted_path)
    now = datetime.now(UTC)
    cache = CompiledCache(work / "cache")
    started = time.perf_counter()
    bundle = verify_bundle(raw, sig, trusted, now, cache)
    row("verify + parse + schema + compile (cold)", ms(time.perf_counter() - started))
    started = time.perf_counter()
    bundle = verify_bundle(raw, sig, trusted, now, cache)
    row("verify + load compiled cache (warm)", ms(time.perf_counter() - started))
    started = time.perf_counter()
    matcher = Matcher(bundle.compiled)
    row("automaton build", ms(time.perf_counter() - started))
    row("entities", f"{matcher.entity_count:,}")
    del raw

    names = candidate_names(400, rng)
    for length, mentions, label in ((280, (0, 1), "280-char post"),
                                    (5000, (0, 1, 2, 3), "5000-char post"),
                                    (5000, (25,), "5000-char candidate list (25 names)")):
        posts = [make_post(length, names, rng, rng.choice(mentions)) for _ in range(200)]
        times, matched = [], []
        for i in range(args.checks):
            post = {"author_handle": "warga", "text": posts[i % len(posts)]}
            started = time.perf_counter()
            result = matcher.match(platform="x", action="like", post=post, at=CAMPAIGN)
            times.append(time.perf_counter() - started)
            matched.append(len(result.matches) + result.matches_truncated)
        row(f"check, {label}, p50", ms(percentile(times, 50)))
        row(f"check, {label}, p99", ms(percentile(times, 99)), "target ≤ 1 ms")
        row("  entities matched per post, median / max",
            f"{percentile(matched, 50)} / {max(matched)}")
    today: list[float] = []
    for i in range(args.checks):
        post = {"author_handle": "warga", "text": posts[i % len(posts)]}
        started = time.perf_counter()
        matcher.match(platform="x", action="like", post=post)
        today.append(time.perf_counter() - started)
    row("check today (no stage running), p99", ms(percentile(today, 99)))

    # The worst case: a 394-character post listing 40 first names after "Coblos".
    firsts = [name.split()[0] for name in candidate_names(400, rng)]
    listing = "Coblos " + ", ".join(list(dict.fromkeys(firsts))[:40])
    loaded = Loaded(bundle, matcher)
    times = []
    for _ in range(max(200, args.checks // 10)):
        started = time.perf_counter()
        answer = check_answer(loaded, platform="x", action="like", post={"text": listing},
                              draft_text=None, lang="id", at=CAMPAIGN)
        times.append(time.perf_counter() - started)
    size = len(json.dumps(answer, ensure_ascii=False).encode())
    row(f"40 names after 'Coblos' ({len(listing)} chars): matched",
        f"{len(answer['matches']) + answer['matches_truncated']:,}")
    row("  answer size", f"{size / 1024:.1f} KiB", "target ≤ 64 KiB")
    row("  check p99 (answer built)", ms(percentile(times, 99)), "target ≤ 5 ms")

    print("\nreal `serve` process (the bundle with a stage open now)")
    bundle_path = with_open_stage(bundle_path, key)
    data_dir = work / "data"
    # Each start three times (the median is printed): a shared machine's load comes and goes.
    colds, warms = [], []
    first = f"Coblos {names[0]}"  # a legislative candidate, active while the bench stage runs
    runs = 3
    for _ in range(runs):
        shutil.rmtree(data_dir, ignore_errors=True)
        with serve(data_dir, bundle_path, trusted_path, first) as (_, _, seconds, pid, child,
                                                                   check, cpu):
            colds.append((seconds, rss_mb(pid, "VmHWM"), child, check, *cpu))
        with serve(data_dir, bundle_path, trusted_path, first) as (_, _, seconds, pid, child,
                                                                   check, cpu):
            warms.append((seconds, rss_mb(pid, "VmHWM"), child, check, *cpu))

    def median(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"  (medians of {runs} runs; load average 1 / 5 / 15 min at the end: {load})")
    row("startup to listening, cold (first acceptance)",
        f"{median([run[0] for run in colds]):.2f} s", "target ≤ 3 s")
    row("  peak RSS parent / compile child",
        f"{median([run[1] for run in colds]):.0f} / {median([run[2] for run in colds]):.0f} MB",
        "target ≤ 300 MB each")
    row("  CPU seconds serve / compile child, to listening",
        f"{median([run[4] for run in colds]):.2f} / {median([run[5] for run in colds]):.2f} s")
    row("  first check after listening (names a candidate)",
        ms(median([run[3] for run in colds])), "answers warn (waits for the automaton)")
    row("startup to listening, warm (compiled cache)",
        f"{median([run[0] for run in warms]):.2f} s", "target ≤ 1 s")
    row("  peak RSS", f"{median([run[1] for run in warms]):.0f} MB", "target ≤ 300 MB")
    row("  CPU seconds serve, to listening", f"{median([run[4] for run in warms]):.2f} s")
    row("  first check after listening (names a candidate)",
        ms(median([run[3] for run in warms])), "answers warn (waits for the automaton)")
    with serve(data_dir, bundle_path, trusted_path, first) as (url, token, seconds, pid, *_):
        row("RSS after warm start", f"{rss_mb(pid):.0f} MB", "target ≤ 300 MB")
        headers = {"Authorization": f"Bearer {token}"}
        posts = [make_post(280, names, rng, rng.choice((0, 1))) for _ in range(200)]
        def check_body(i: int) -> dict:
            return {"platform": "x", "action": "like",
                    "post": {"author_handle": "warga", "text": posts[i % 200]}}

        loopback = Loopback(url, token)
        health_request = loopback.request("GET", "/v1/health")
        check_requests = [loopback.request("POST", "/v1/check", check_body(i)) for i in range(200)]
        fresh_health = loopback.request("GET", "/v1/health", close=True)
        fresh_checks = [loopback.request("POST", "/v1/check", check_body(i), close=True)
                        for i in range(200)]
        fresh = {"health": [], "check": []}
        for i in range(min(args.requests, 500)):
            # A new connection each time: the floor the keep-alive figures are read against.
            fresh["health"].append(timed_send(loopback, fresh_health, close=True))
            fresh["check"].append(timed_send(loopback, fresh_checks[i % 200], close=True))
        for _ in range(200):  # warm the connection and the interpreter's caches
            timed_send(loopback, health_request)
        # Alternated on the one connection, so both see the same moments of the machine's load:
        # a loopback request's tail here is mostly this 2-core machine's scheduling.
        health, check = [], []
        for i in range(args.requests):
            health.append(timed_send(loopback, health_request))
            check.append(timed_send(loopback, check_requests[i % 200]))
        loopback.close()
        row("/v1/health p50 / p99, fresh connection (floor)",
            f"{ms(percentile(fresh['health'], 50))} / {ms(percentile(fresh['health'], 99))}")
        row("/v1/check p50 / p99, fresh connection",
            f"{ms(percentile(fresh['check'], 50))} / {ms(percentile(fresh['check'], 99))}")
        row("/v1/health p50 / p99, kept alive (floor of the next rows)",
            f"{ms(percentile(health, 50))} / {ms(percentile(health, 99))}")
        row("/v1/check p50, kept alive", ms(percentile(check, 50)))
        row("/v1/check p99, kept alive", ms(percentile(check, 99)), "target ≤ 5 ms")
        ratio = percentile(check, 99) / percentile(health, 99)
        row("/v1/check p99 ÷ its floor's p99 (health), kept alive", f"{ratio:.2f}×")
        ratio = percentile(check, 50) / percentile(health, 50)
        row("/v1/check p50 ÷ /v1/health p50, kept alive", f"{ratio:.2f}×", "target ≤ 1.5×")
        ratio = percentile(health, 50) / percentile(fresh["health"], 50)
        row("kept alive ÷ fresh, /v1/health p50", f"{ratio:.2f}×", "target ≤ 1× (no Nagle)")
        with httpx.Client(base_url=url, headers=headers, timeout=10) as client:
            count = min(args.requests, 1000)
            started = time.perf_counter()
            timed_requests(client, count, lambda i: client.post("/v1/acknowledgements", json={
                "ack_id": str(uuid.uuid4()), "check_id": None, "platform": "x", "action": "like",
                "outcome": "cancelled", "entity_ids": ["paslon-2024-02"],
                "bundle_id": bundle.bundle_id, "rules_version": bundle.version,
                "occurred_at": "2024-01-10T08:00:00Z", "justification": None}))
            row("acknowledgements per second (durable)",
                f"{count / (time.perf_counter() - started):.0f}/s")
        row("RSS after the run", f"{rss_mb(pid):.0f} MB")

    (work / "bench-companion.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
