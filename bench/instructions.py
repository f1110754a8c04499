"""A booking's CPU work in instructions, not time: the same on a quiet machine and a busy one.

    python -m bench.instructions reference --bookings 100
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \
      python -m bench.instructions large --database postgresql+psycopg://.../seeded_copy

Runs `bench.profile_booking` under valgrind's cachegrind (`--cache-sim=no`: instructions only)
twice on one seeded database, booking `--bookings` more times the second time; the difference
divided by that number is one booking's instructions: the hold, the review page, the confirm
(and the profiler's own look at whether a time is still open). The app's start and the warm-up
cancel out. Only this process's instructions are counted, not the database server's.

Timings on a shared 2-core VM move by a third from one minute to the next; this figure moves by
~0.3% from run to run, so a change of 1% shows: compare the code before and after a change on
copies of one seeded database. Needs valgrind (`apt-get install valgrind`); Python runs ~50x
slower under it, so 100 bookings take about a minute. Seeds a scratch database first (outside
valgrind) unless `--database` names one `bench.datasets` seeded.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import datasets
from bench.profile_booking import studio_arguments
from bench.run import analyze
from core.db import scratch_database

BASELINE = 10  # timed bookings of the first run; the second books `bookings` more
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def instructions(studio: str, database_url: str, bookings: int) -> int:
    """The instructions of one run of the booking profiler booking `bookings` times."""
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    command += [sys.executable, "-m", "bench.profile_booking", studio]
    command += ["--database", database_url, "--bookings", str(bookings)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    found = _REFS.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"the profiler under valgrind failed:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def per_booking(studio: str, database_url: str, bookings: int) -> float:
    """One booking's instructions: two runs, `bookings` apart."""
    first = instructions(studio, database_url, BASELINE)
    second = instructions(studio, database_url, BASELINE + bookings)
    return (second - first) / bookings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    studio_arguments(parser, bookings=100)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        parser.exit(2, "bench.instructions needs valgrind: apt-get install valgrind\n")
    if args.database:
        figure = per_booking(args.studio, args.database, args.bookings)
    else:
        with (
            tempfile.TemporaryDirectory(prefix="studiobook-instructions-") as folder,
            scratch_database(
                os.environ.get("DATABASE_URL", ""), Path(folder) / "booking.db", "bench_ir"
            ) as url,
        ):
            print(f"seeding the {args.studio} studio (scale {args.scale}) ...", file=sys.stderr)
            datasets.seed(url, args.studio, scale=args.scale)
            analyze(url)
            figure = per_booking(args.studio, url, args.bookings)
    print(f"{args.studio}: {figure / 1e6:.2f} million instructions per booking")


if __name__ == "__main__":
    main()
