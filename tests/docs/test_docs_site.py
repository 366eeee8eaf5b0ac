"""The dbt docs site, as people will see it: served over HTTP and loaded in headless Chromium."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.docs.browser import artifact, check_page, require_browser

MARTS = ["dim_machines", "fct_machine_daily", "fct_machine_runs", "fct_report_issues"]
UPSTREAM_OF_DAILY = [
    "model.cola.int_run_reports_sequenced",
    "model.cola.stg_factory__run_reports",
    "source.cola.factory.run_reports",
    "seed.cola.branches",
]
GRAPH_NODES = (
    "(() => { const graph = angular.element(document.body).injector().get('graph');"
    " return (graph.graph.elements || []).filter(e => e.group === 'nodes' && !e.data.hidden)"
    ".map(e => e.data.unique_id); })()"
)
PAINTED_PIXELS = (
    "Array.from(document.querySelectorAll('canvas')).map(c => {"
    " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
    " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; })"
    ".reduce((a, b) => a + b, 0)"
)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve a folder on 127.0.0.1 (a free port), as `make docs` does; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_docs_site_lists_the_marts_and_draws_the_lineage_of_fct_machine_daily(docs_sample):
    require_browser()
    with serve(docs_sample.target) as base:
        result = check_page(
            f"{base}index.html#!/overview",
            [
                {"wait_for_function": "document.body.innerText.includes('The pipeline')"},
                {"probe": "overview", "js": "document.body.innerText"},
                {"goto": f"{base}index.html#!/model/model.cola.fct_machine_daily"},
                {"wait_for": "[data-nav-unique-id='model.cola.fct_machine_daily']"},
                {
                    "probe": "model_list",
                    "js": "Array.from(document.querySelectorAll("
                    "'[data-nav-unique-id^=model]')).filter(a => a.offsetParent !== null)"
                    ".map(a => a.getAttribute('title'))",
                },
                {"wait_for": "[title='View Lineage Graph']"},
                {"click": "[title='View Lineage Graph']"},
                {"wait_for": "[title='View Fullscreen']"},
                {"click": "[title='View Fullscreen']"},
                {"wait_for_function": f"{PAINTED_PIXELS} > 0"},
                {"sleep": 500},
                {
                    "probe": "selector",
                    "js": "document.querySelector('.graph-selector input') ? "
                    "document.querySelector('.graph-selector input').value : null",
                },
                {"probe": "graph_nodes", "js": GRAPH_NODES},
                {"probe": "painted", "js": PAINTED_PIXELS},
                {"screenshot": str(artifact("docs-lineage-fct_machine_daily.png"))},
            ],
            allow=(base,),
        )
    probes = result["probes"]
    assert not result["page_errors"], result["page_errors"]
    assert not result["blocked_requests"], "the docs site asked for the network"
    assert "The pipeline" in probes["overview"] and "fct_machine_daily" in probes["overview"]
    for mart in MARTS:
        assert mart in probes["model_list"], f"{mart} missing from the model list"
    graph = set(probes["graph_nodes"])
    assert "model.cola.fct_machine_daily" in graph
    missing = [node for node in UPSTREAM_OF_DAILY if node not in graph]
    assert not missing, f"lineage of fct_machine_daily lacks {missing}: shows {sorted(graph)}"
    assert "exposure.cola.uptime_dashboard" in graph  # who depends on it
    assert probes["painted"] > 1000, "the lineage canvas is blank"
    assert artifact("docs-lineage-fct_machine_daily.png").stat().st_size > 10_000


def test_the_static_docs_page_opens_from_disk_with_no_network(docs_sample):
    require_browser()
    static = docs_sample.target / "static_index.html"
    result = check_page(
        static.as_uri() + "#!/model/model.cola.fct_machine_daily",
        [
            {"wait_for": "[data-nav-unique-id='model.cola.fct_machine_daily']"},
            {"probe": "title", "js": "document.body.innerText"},
        ],
    )
    assert not result["page_errors"], result["page_errors"]
    assert not result["blocked_requests"]
    assert "fct_machine_daily" in result["probes"]["title"]
