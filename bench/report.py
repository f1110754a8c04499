"""The bench's verdict: the figures against issue 9's targets as a table, and what fails a run."""

from __future__ import annotations

DATASETS = ("reference", "large")
SIZES = (8, 16, 32)

# (figure, where in results, target, higher is better)
TARGETS: list[tuple[str, tuple[str, ...], float, bool]] = [
    ("first load, KB gzip", ("page_weight", "gzip_bytes"), 30 * 1024, False),
    ("first load, requests", ("page_weight", "requests"), 5, False),
    ("day p95 ms, reference", ("reference", "day_slots", "p95_ms"), 5, False),
    ("day p95 ms, large", ("large", "day_slots", "p95_ms"), 10, False),
    ("month p95 ms, reference", ("reference", "month_view", "p95_ms"), 20, False),
    ("month p95 ms, large", ("large", "month_view", "p95_ms"), 40, False),
    ("book p95 ms, reference", ("reference", "book", "p95_ms"), 12, False),
    ("book p95 ms, large", ("large", "book", "p95_ms"), 24, False),
    ("promo engine evals/s", ("promo_engine", "evals_per_s"), 20_000, True),
    ("bulk copy 26 weeks, s", ("bulk_copy", "seconds"), 2, False),
]


def _at(results: dict[str, object], path: tuple[str, ...]) -> float | None:
    found: object = results
    for key in path:
        if not isinstance(found, dict) or key not in found:
            return None
        found = found[key]
    return float(found) if isinstance(found, int | float) else None


def table(results: dict[str, object]) -> str:
    """The figures against the targets, one line each."""
    machine = results.get("machine", {})
    assert isinstance(machine, dict)
    lines = [
        f"studiobook bench, {results.get('database')} ({machine.get('database_server', '')[:40]}),"
        f" {machine.get('cores')} cores, Python {machine.get('python')},"
        f" gunicorn x{machine.get('gunicorn_workers')}, scale {_at(results, ('plan', 'scale'))}",
        "",
        f"{'figure':<28}{'measured':>12}{'target':>12}  ",
    ]
    for name, path, target, higher in TARGETS:
        value = _at(results, path)
        if value is None:
            lines.append(f"{name:<28}{'-':>12}{_num(target, name):>12}")
            continue
        met = value >= target if higher else value <= target
        verdict = "ok" if met else f"{value / target:.1f}x target" if not higher else "below"
        lines.append(f"{name:<28}{_num(value, name):>12}{_num(target, name):>12}  {verdict}")
    for label, path in [
        ("next page, requests", ("page_weight", "next_page_requests")),
        ("day p50 ms, reference", ("reference", "day_slots", "p50_ms")),
        ("month p50 ms, reference", ("reference", "month_view", "p50_ms")),
        ("book p50 ms, reference", ("reference", "book", "p50_ms")),
        ("floor p50 ms (/healthz)", ("floor", "p50_ms")),
        ("home rps (16 clients)", ("throughput", "home_rps")),
        ("day rps (16 clients)", ("throughput", "day_slots_rps")),
    ]:
        value = _at(results, path)
        lines.append(f"{label:<28}{'-' if value is None else _num(value, label):>12}")
    for which in DATASETS:
        figures = results.get(which, {})
        rounds = figures.get("contention", {}) if isinstance(figures, dict) else {}
        for size in SIZES:
            one = rounds.get(str(size), {})
            lines.append(
                f"contention {which:<9} x{size:<3}    {one.get('rounds', 0):>3} rounds, successes "
                f"{one.get('min_successes')}..{one.get('max_successes')}, "
                f"{one.get('refusals')} refused, {one.get('errors')} errors"
            )
    return "\n".join(lines)


def _num(value: float, name: str) -> str:
    if "KB" in name:
        return f"{value / 1024:.1f}"
    if value == int(value):
        return f"{value:,.0f}"
    return f"{value:,.0f}" if value >= 100 else f"{value:.2f}"


def failures(results: dict[str, object]) -> list[str]:
    """What makes the run fail: a contention round that did not book exactly once, a slot booked
    twice, or an error (5xx, exception) in any figure."""
    found: list[str] = []
    for which in DATASETS:
        figures = results.get(which, {})
        assert isinstance(figures, dict)
        rounds = figures.get("contention", {})
        for size in SIZES:
            one = rounds.get(str(size), {})
            if not one.get("rounds"):
                found.append(f"{which}: no contention round of {size} ran")
            elif one["min_successes"] != 1 or one["max_successes"] != 1:
                found.append(
                    f"{which}: rounds of {size} booked {one['min_successes']}.."
                    f"{one['max_successes']} times, not exactly once"
                )
            if one.get("errors"):
                found.append(f"{which}: rounds of {size} had {one['errors']} errors")
        if rounds.get("booked_twice"):
            found.append(f"{which}: {rounds['booked_twice']} slots hold two bookings")
        for name in ("floor", "day_slots", "month_view", "book"):
            errors = _at(figures, (name, "errors"))
            if errors:
                found.append(f"{which}: {name} had {errors:.0f} errors")
        if not _at(figures, ("book", "count")):
            found.append(f"{which}: no booking completed")
    return found
