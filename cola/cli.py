"""`cola`: land machine reports and build the uptime warehouse locally, on DuckDB."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path

from cola.build import BuildError, build
from cola.generate import generate
from cola.ingest import ingest
from cola.lock import LockError, WarehouseBusyError, warehouse_lock
from cola.paths import cola_home, warehouse_path
from cola.report import DEFAULT_DAYS, ReportError, write_report
from cola.summary import summarize

BUSY_EXIT_CODE = 75  # EX_TEMPFAIL: another build holds the warehouse; try again later


def _ingest(args: argparse.Namespace) -> int:
    home = cola_home()
    with warehouse_lock(home, "cola ingest"):
        ingest(args.paths, home)
    return 0


def _build(args: argparse.Namespace) -> int:
    home = cola_home()
    with warehouse_lock(home, "cola build"):
        build(home, full_refresh=args.full_refresh)
        print(summarize(warehouse_path(home)))
    return 0


def _run(args: argparse.Namespace) -> int:
    home = cola_home()
    with warehouse_lock(home, "cola run"):
        paths = args.paths
        if not paths:
            sample = home / "sample"
            if not sample.exists():
                files = generate(sample)
                print(f"generated {len(files)} sample report files in {sample}")
            paths = [sample]
        ingest(paths, home)
        build(home, full_refresh=args.full_refresh)
        print(summarize(warehouse_path(home)))
        report = write_report(warehouse_path(home), home / "report.html")
        print(f"report: {report} (open it in a browser; `cola report --days N` for another period)")
        print("docs: `make docs` builds the dbt docs site and serves it on http://127.0.0.1:8080")
    return 0


def _report(args: argparse.Namespace) -> int:
    home = cola_home()
    out = args.out or home / "report.html"
    # wait for a running build (DuckDB cannot open a file being written); with no warehouse
    # yet there is nothing to wait for, and write_report says what to do
    lock = warehouse_lock(home, "cola report") if warehouse_path(home).exists() else nullcontext()
    try:
        with lock:
            written = write_report(warehouse_path(home), out, days=args.days)
    except ReportError as error:
        print(f"cola report: {error}", file=sys.stderr)
        return 1
    print(f"report: {written}")
    return 0


def _generate(args: argparse.Namespace) -> int:
    files = generate(
        args.dir,
        seed=args.seed,
        branches=args.branches,
        machines_per_branch=args.machines,
        days=args.days,
    )
    print(f"wrote {len(files)} report files to {args.dir}")
    return 0


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="cola",
        description="Land machine start/stop reports and build the uptime warehouse locally. "
        "Data lives in $COLA_HOME (default: .cola/ in the repository).",
    )
    commands = cli.add_subparsers(dest="command", required=True)

    ingest_cmd = commands.add_parser("ingest", help="land CSV files (or folders of them)")
    ingest_cmd.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    ingest_cmd.set_defaults(handler=_ingest)

    build_cmd = commands.add_parser("build", help="run dbt build on the local warehouse")
    build_cmd.add_argument("--full-refresh", action="store_true", help="rebuild from all raw files")
    build_cmd.set_defaults(handler=_build)

    run_cmd = commands.add_parser("run", help="ingest then build (no PATH: the sample data)")
    run_cmd.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    run_cmd.add_argument("--full-refresh", action="store_true", help="rebuild from all raw files")
    run_cmd.set_defaults(handler=_run)

    report_cmd = commands.add_parser(
        "report", help="write the dashboard: one self-contained HTML file from the marts"
    )
    report_cmd.add_argument(
        "--days", type=int, default=DEFAULT_DAYS, help=f"local days shown (default {DEFAULT_DAYS})"
    )
    report_cmd.add_argument(
        "--out",
        type=Path,
        metavar="FILE.html",
        help="where to write (default $COLA_HOME/report.html)",
    )
    report_cmd.set_defaults(handler=_report)

    generate_cmd = commands.add_parser("generate", help="write realistic sample reports")
    generate_cmd.add_argument("dir", type=Path, metavar="DIR")
    generate_cmd.add_argument("--seed", type=int, default=7)
    generate_cmd.add_argument("--branches", type=int, default=3)
    generate_cmd.add_argument("--machines", type=int, default=4, help="machines per branch")
    generate_cmd.add_argument("--days", type=int, default=28)
    generate_cmd.set_defaults(handler=_generate)
    return cli


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.handler(args)
    except WarehouseBusyError as error:
        print(f"cola {args.command}: {error}", file=sys.stderr)
        return BUSY_EXIT_CODE
    except (BuildError, LockError, FileNotFoundError, NotADirectoryError, PermissionError) as error:
        print(f"cola {args.command}: {error}", file=sys.stderr)
        return 1


def command() -> int:
    """The `cola` command: main(), then an exit without Python's last collection of the
    objects dbt left (0.4-0.6 s after a build). Nothing among them needs it: dbt and the
    summary have closed the warehouse, and files are closed as they are written."""
    code = main()
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(command())
