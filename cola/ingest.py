"""Land local CSV files in the local raw zone, with the same code as the ingestion Lambda."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from ingestion_lambda.local import land_paths


def ingest(paths: Sequence[Path], home: Path) -> Counter[str]:
    """Land files (or folders of them); print one line per file; return counts per outcome."""
    results = land_paths(list(paths), home)
    outcomes: Counter[str] = Counter()
    for result in results:
        outcomes[result.outcome] += 1
        if result.outcome == "quarantined":
            print(f"  quarantined {result.source}: {result.reason} -> {home / result.key}")
    print(
        f"landed {outcomes['landed']} file(s), {outcomes['already_landed']} already landed, "
        f"{outcomes['quarantined']} quarantined, in {home}"
    )
    return outcomes
