"""The benchmark's results: rows (one figure per variant), ratios and targets, each with every
round kept; and their two renderings, the printed table and ``results.md``."""

from __future__ import annotations

import operator
import statistics
from collections.abc import Callable, Sequence
from typing import Any

from measure import ratio_rounds, summary

# Where a row's figures come from (said in every table).
FIXED = "fixed"
FIXED_LATENCY = "fixed + latency"
REFERENCE = "reference"
OFFLINE = "offline"
INTERPRETER = "interpreter"

SERVERS = {
    FIXED: "benchmarks/fixed_server.py: precomputed bodies, asyncio protocol (client-side rows)",
    FIXED_LATENCY: "benchmarks/fixed_server.py, its second listener: each answer after a delay",
    REFERENCE: "benchmarks/server.py: the reference service, timers.testing.serve (end to end)",
    OFFLINE: "no server: bodies in memory",
    INTERPRETER: "fresh interpreters, bytecode cached",
}

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
}


def row_id(section: str, server: str, dialect: str, variant: str) -> str:
    return f"{section} | {server} | {dialect} | {variant}"


class Results:
    """Rows, ratios and targets, built as the benchmark runs."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self.ratios: list[dict[str, Any]] = []
        self.targets: list[dict[str, Any]] = []
        self.choices: dict[str, Any] = {}  # what the benchmark chose by measurement

    def add(
        self,
        section: str,
        server: str,
        dialect: str,
        variant: str,
        unit: str,
        values: Sequence[float],
        **extra: Any,
    ) -> dict[str, Any]:
        row = {
            "id": row_id(section, server, dialect, variant),
            "section": section,
            "server": server,
            "dialect": dialect,
            "variant": variant,
            "unit": unit,
            **summary(values),
            **extra,
        }
        self.rows[row["id"]] = row
        return row

    def add_rounds(
        self, section: str, server: str, dialect: str, unit: str, rounds: dict[str, list[float]]
    ) -> None:
        """A row for each variant of ``measure.rounds``' result."""
        for variant, values in rounds.items():
            self.add(section, server, dialect, variant, unit, values)

    def values(self, section: str, server: str, dialect: str, variant: str) -> list[float]:
        return self.rows[row_id(section, server, dialect, variant)]["rounds"]

    def ratio(
        self,
        name: str,
        server: str,
        top: str,
        bottom: str,
        *,
        target: tuple[str, float] | None = None,
        unit: str = "x",
    ) -> dict[str, Any]:
        """``rows[top] / rows[bottom]`` round by round (ids as ``row_id`` makes them)."""
        values = ratio_rounds(self.rows[top]["rounds"], self.rows[bottom]["rounds"])
        entry = {"name": name, "server": server, "unit": unit, "of": [top, bottom]}
        entry.update(summary(values))
        if target is None:
            self.ratios.append(entry)
        else:
            self.targets.append(self._judged(entry, target))
        return entry

    def add_ratio(
        self, name: str, server: str, values: Sequence[float], *, of: str, unit: str = "x"
    ) -> dict[str, Any]:
        """A ratio already taken round by round (no target)."""
        entry = {"name": name, "server": server, "unit": unit, "of": [of]}
        entry.update(summary(values))
        self.ratios.append(entry)
        return entry

    def target(
        self,
        name: str,
        server: str,
        values: Sequence[float],
        target: tuple[str, float],
        *,
        unit: str,
        of: str | None = None,
    ) -> dict[str, Any]:
        entry = {"name": name, "server": server, "unit": unit, "of": [of] if of else []}
        entry.update(summary(values))
        self.targets.append(self._judged(entry, target))
        return entry

    @staticmethod
    def _judged(entry: dict[str, Any], target: tuple[str, float]) -> dict[str, Any]:
        op, bound = target
        met = _OPS[op](entry["median"], bound)
        every = all(_OPS[op](value, bound) for value in entry["rounds"])
        entry["target"] = {"op": op, "value": bound}
        entry["status"] = ("met" if every else "met (median)") if met else "MISSED"
        return entry

    def as_json(self) -> dict[str, Any]:
        return {
            "servers": SERVERS,
            "rows": list(self.rows.values()),
            "ratios": self.ratios,
            "targets": self.targets,
        }


# -- rendering --------------------------------------------------------------------------------


def number(value: float) -> str:
    """A figure with three significant digits (thousands separated)."""
    size = abs(value)
    if size < 1000 and float(value).is_integer():
        return str(int(value))
    if size >= 1000:
        return f"{value:,.0f}"
    if size >= 100:
        return f"{value:.0f}"
    if size >= 10:
        return f"{value:.1f}"
    if size >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def spread(entry: dict[str, Any]) -> str:
    return f"{number(entry['min'])}–{number(entry['max'])}"


def _row_cells(row: dict[str, Any]) -> list[str]:
    cells = [
        row["section"],
        row["server"],
        row["dialect"],
        row["variant"],
        number(row["median"]),
        spread(row),
        row["unit"],
        str(len(row["rounds"])),
    ]
    notes = []
    if "connections_used" in row:
        notes.append(f"connections used: {max(row['connections_used'])}")
    for key, what in (
        ("server_cpu_us_per_answer", "answer"),
        ("server_cpu_us_per_run", "run"),
    ):
        if key in row:
            notes.append(f"server CPU: {number(statistics.median(row[key]))} µs/{what}")
    if "runs_per_cpu_second" in row:
        cpu = statistics.median(row["runs_per_cpu_second"])
        notes.append(f"per CPU-second of this process: {number(cpu)}")
    if "note" in row:
        notes.append(row["note"])
    return [*cells, "; ".join(notes)]


ROW_HEADER = ["section", "server", "dialect", "variant", "median", "min–max", "unit", "n", "notes"]
RATIO_HEADER = ["ratio", "server", "median", "min–max", "n"]
TARGET_HEADER = ["measure", "server", "median", "min–max", "n", "target", "status"]


def _ratio_cells(entry: dict[str, Any]) -> list[str]:
    return [
        entry["name"],
        entry["server"],
        number(entry["median"]),
        spread(entry),
        str(len(entry["rounds"])),
    ]


def _target_cells(entry: dict[str, Any]) -> list[str]:
    bound = entry["target"]
    return [
        *_ratio_cells(entry),
        f"{bound['op']} {number(bound['value'])} {entry['unit']}".rstrip(),
        entry["status"],
    ]


def text_table(header: list[str], lines: list[list[str]]) -> str:
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]
    out = []
    for cells in [header, ["-" * w for w in widths], *lines]:
        out.append("  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)))
    return "\n".join(line.rstrip() for line in out)


def md_table(header: list[str], lines: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |" for cells in lines]
    return "\n".join(out)


def render(data: dict[str, Any], table: Callable[[list[str], list[list[str]]], str]) -> list[str]:
    """The targets, the ratios and every row, as ``table`` draws a table, with headings."""
    rows = data["rows"]
    sections: dict[str, list[list[str]]] = {}
    for row in rows:
        sections.setdefault(row["section"], []).append(_row_cells(row))
    parts = ["Targets", table(TARGET_HEADER, [_target_cells(t) for t in data["targets"]])]
    parts += ["Ratios (round by round, no target)"]
    parts += [table(RATIO_HEADER, [_ratio_cells(r) for r in data["ratios"]])]
    for section, lines in sections.items():
        parts += [section, table(ROW_HEADER, lines)]
    return parts


def print_text(data: dict[str, Any]) -> None:
    parts = render(data, text_table)
    for i in range(0, len(parts), 2):
        print(f"\n== {parts[i]}\n{parts[i + 1]}")


def markdown(data: dict[str, Any]) -> str:
    """``results.md``: machine, servers, targets, ratios and every row."""
    machine = data["machine"]
    mode = "quick (a smoke run: tiny sizes, figures meaningless)" if data["quick"] else "full"
    libraries = ", ".join(f"{k} {v}" for k, v in data["versions"].items())
    lines = [
        "# Benchmark results",
        "",
        "Generated by `scripts/bench` from `benchmarks/results.json`; do not edit. Each figure is",
        "the median of its rounds (n) with their min–max; rounds alternate between the variants.",
        "Ratios are taken round by round. Only ratios within one run mean much: the machines are",
        "shared. Where the time goes: `benchmarks/profiles.md` (`scripts/bench --profile`).",
        "",
        f"- mode: {mode}",
        f"- when: {data['started']}; took {data['bench_seconds']:.0f} s",
        f"- machine: {machine['cpu']}, {machine['cores']} cores, {machine['platform']}",
        f"- Python {machine['python']}; {libraries}",
        f"- load average before / after: {machine['load_before']} / {machine['load_after']}",
        f"- sizes: {', '.join(f'{k}={v}' for k, v in data['sizes'].items())}",
        "",
        "Servers:",
        "",
    ]
    lines += [f"- **{name}**: {text}" for name, text in data["servers"].items()]
    parts = render(data, md_table)
    for i in range(0, len(parts), 2):
        lines += ["", f"## {parts[i]}", "", parts[i + 1]]
    if data.get("notes"):
        lines += ["", "## Notes", ""] + [f"- {note}" for note in data["notes"]]
    return "\n".join(lines) + "\n"
