"""`make bench`: prints each figure beside the baseline it was measured against."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench import (
    catalog,
    converge,
    heavy_library,
    imports,
    lanes,
    library,
    pipeline,
    reads,
    rebuild,
    recommendation_quality,
    streams,
    sync,
)

console = Console(width=None if Console().is_terminal else 160)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def report_pipeline(figures: dict) -> None:
    ratio = figures["pipeline"] / figures["baseline"]
    table = Table(title=f"Pipeline: {pipeline.EVENTS:,} events, worker concurrency "
                        f"{pipeline.WORKER_CONCURRENCY}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("bare Celery task drain (baseline)", f"{figures['baseline']:,.0f} tasks/s")
    table.add_row("relay + projection (profile and library events)",
                  f"{figures['pipeline']:,.0f} events/s (aim ≥ 5,000)")
    table.add_row("ratio to the drain (aim ≥ 0.5)", f"{ratio:.2f}")
    table.add_row(f"rebuild's fold of the same log ({figures['folded']:,} events: the "
                  "ceiling)", f"{figures['fold']:,.0f} events/s")
    table.add_row("ratio to the fold (aim ≥ 0.25)", f"{figures['pipeline'] / figures['fold']:.2f}")
    for name, values in figures["lag"].items():
        label = ("PATCH /me → GET /me shows it (client polls)" if name == "polled"
                 else "PATCH /me → GET /me with X-Consistency-Token")
        table.add_row(f"{label} p50", ms(pipeline.percentile(values, 50)))
        table.add_row(f"{label} p99 (aim ≤ 50 ms)", ms(pipeline.percentile(values, 99)))
    console.print(table)


def main() -> int:
    which = set(sys.argv[1:]) or {"pipeline", "lanes", "converge", "reads", "sync",
                                  "rebuild", "catalog", "library", "recommendations",
                                  "heavy", "streams", "imports"}
    which |= {"heavy"} if "heavy_library" in which else set()
    log_dir = Path(tempfile.mkdtemp(prefix="movienexus-bench-"))
    console.print(f"process logs: {log_dir}")
    if "pipeline" in which:
        report_pipeline(pipeline.main(log_dir))
    if "lanes" in which:
        lanes.report(lanes.main(log_dir), console)
    if "reads" in which:
        reads.report(reads.main(log_dir), console)
    if "sync" in which:
        sync.report(sync.main(log_dir), console)
    if "rebuild" in which:
        rebuild.report(rebuild.main(log_dir), console)
    if "converge" in which:
        converge.report(converge.main(log_dir), console)
    if "catalog" in which:
        catalog.report(catalog.main(log_dir), console)
    if "library" in which:
        library.report(library.main(log_dir), console)
    if "recommendations" in which:
        recommendation_quality.report(recommendation_quality.main(log_dir), console)
    if "heavy" in which:
        heavy_library.report(heavy_library.main(log_dir), console)
    if "streams" in which:
        streams.report(streams.main(log_dir), console)
    if "imports" in which:
        imports.report(imports.main(log_dir), console)
    return 0


if __name__ == "__main__":
    sys.exit(main())
