"""SQLFluff lints the models clean: dbt templater on the prod (Athena) target, athena dialect.

One lint, Athena-templated: the athena dialect has to read the SQL production runs (the
DuckDB-rendered SQL holds DuckDB-only syntax the athena dialect rejects), and the models
themselves are the same text for both targets. Rendering the prod target needs a moto
catalog; this test starts its own, so what it lints does not depend on other tests.
"""

from __future__ import annotations

import json

from tests.dbt_athena.conftest import NEWEST_INGEST_DATE_FLOOR, dbt_command
from tests.dbt_athena.moto_athena import REPO_ROOT, VENV_BIN, FakeAws, fake_aws, run_with_fake_aws


def _lint(aws: FakeAws) -> list[str]:
    result = run_with_fake_aws(
        [
            str(VENV_BIN / "sqlfluff"),
            "lint",
            "dbt_project/models",
            "--format",
            "json",
            "--nocolor",
            "--disable-progress-bar",
        ],
        aws,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip(), result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report, "sqlfluff linted no files"
    return [
        f"{file['filepath']}:{v['start_line_no']}:{v['start_line_pos']} "
        f"{v['code']} {v['description']}"
        for file in report
        for v in file["violations"]
    ]


def test_models_lint_clean_with_the_athena_dialect(tmp_path_factory):
    """Twice: as a first build renders them, then with the incremental models' tables in
    Glue, so the is_incremental() branches are linted too."""
    with fake_aws() as aws:
        first_build = _lint(aws)
        target = tmp_path_factory.mktemp("lint_manifest")
        parsed = run_with_fake_aws(
            [*dbt_command("parse", target_path=target), "--target", "prod"],
            aws,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
        )
        assert parsed.returncode == 0, parsed.stdout[-3000:]
        manifest = json.loads((target / "manifest.json").read_text())
        aws.create_iceberg_tables(
            (node["schema"], node["alias"], {"_built_at": "timestamp"})
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"
        )
        aws.queue_query_results(NEWEST_INGEST_DATE_FLOOR)
        incremental = _lint(aws)
    assert not first_build, "first build:\n" + "\n".join(first_build)
    assert not incremental, "incremental build:\n" + "\n".join(incremental)
