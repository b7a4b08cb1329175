"""Every benchmark in one run, and then every figure that has a target, gathered in one table.

Runs, one after the other on this machine:
  bench/companion.py   acceptance, matcher, bounded answers, HTTP kept alive vs fresh, acks
  bench/click_path.py  trusted pointerdown -> the warning's first frame, vs a plain <dialog>
  bench/extension.py   a stopped service worker's cold start, classification latency
  bench/scroll.py      the tab's main-thread time while scrolling, vs no extension

Each script prints its figures next to their floor; the closing table repeats every line that
names a target, so the README's table and an issue's note come from one run.

    python bench/all.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def run(script: str, *args: str) -> list[str]:
    print(f"\n$ python bench/{script} {' '.join(args)}".rstrip(), flush=True)
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(BENCH / script), *args],
                               stdout=subprocess.PIPE, text=True, bufsize=1)
    lines = []
    assert process.stdout is not None
    for line in process.stdout:
        print(line, end="", flush=True)
        lines.append(line.rstrip("\n"))
    if process.wait() != 0:
        raise SystemExit(f"bench/{script} failed with exit code {process.returncode}")
    print(f"({time.perf_counter() - started:.0f} s)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer runs each (a smoke run; the README's figures use the defaults)")
    args = parser.parse_args()
    quick = args.quick
    outputs = {
        "companion": run("companion.py",
                         *(["--requests", "300", "--checks", "500"] if quick else [])),
        "click path": run("click_path.py", "--runs", "10" if quick else "40"),
        "service worker": run("extension.py", *(["--runs", "5"] if quick else [])),
        "scrolling": run("scroll.py", *(["--rounds", "10"] if quick else [])),
    }
    load = os.getloadavg()
    print(f"\nEvery target, from this run (load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})")
    for name, lines in outputs.items():
        print(f"[{name}]")
        figure = None  # the figure an indented ratio line below it belongs to
        for line in lines:
            indented = line.startswith("  ") and not line.startswith("  " * 2)
            if not line.startswith(" ") or (name == "companion" and indented):
                figure = line
            if "target" in line.lower() or "floor" in line.lower():
                if figure is not None and figure is not line:
                    print(f"  {figure.strip()}")
                print(f"    {line.strip()}" if figure is not line else f"  {line.strip()}")
                figure = None


if __name__ == "__main__":
    main()
