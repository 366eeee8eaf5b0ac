"""Load a page in Debian's headless Chromium (driven by playwright-core, see page_check.mjs)
and return what happened: console messages, page errors, blocked requests, probe values.

The browser is a test prerequisite (`make browser-tools` installs it). Without it a test is
skipped on a workstation and FAILS in CI (CI=true): a check that silently did not run is
not a check."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
    if shutil.which("node") is None:
        return "Node.js is not installed (it runs playwright-core)"
    if not (HERE / "node_modules" / "playwright-core").is_dir():
        return "playwright-core is not installed (cd tests/docs && npm ci)"
    return None


def require_browser() -> None:
    """Skip (fail in CI) when the browser tooling is missing; `make browser-tools` installs it."""
    missing = _missing()
    if missing is None:
        return
    message = f"{missing}: run `make browser-tools`"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def check_page(
    url: str, steps: list[dict], *, allow: tuple[str, ...] = (), timeout_s: float = 60
) -> dict:
    """Run page_check.mjs on the url and steps; fail the test if a step itself failed."""
    require_browser()
    spec = {"url": url, "allow": list(allow), "steps": steps}
    with tempfile.TemporaryDirectory(prefix="cola-browser-") as scratch:
        spec_path = Path(scratch) / "spec.json"
        spec_path.write_text(json.dumps(spec))
        completed = subprocess.run(
            ["node", str(HERE / "page_check.mjs"), str(spec_path)],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            env={**os.environ, "CHROMIUM": CHROMIUM},
        )
    if completed.returncode != 0 or not completed.stdout:
        pytest.fail(f"page_check.mjs failed ({completed.returncode}): {completed.stderr[-2000:]}")
    result = json.loads(completed.stdout)
    if result["error"]:
        pytest.fail(f"in the browser, on {url}: {result['error']}\nconsole: {result['console']}")
    return result


def artifact(name: str) -> Path:
    """Where a test keeps a screenshot: test-artifacts/ at the repository root (gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name
