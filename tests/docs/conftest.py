from pathlib import Path

import pytest

from tests.docs.sample import SampleProject, build_sample


@pytest.fixture(scope="session")
def docs_sample(tmp_path_factory: pytest.TempPathFactory) -> SampleProject:
    """A built sample warehouse and its dbt project copy with the docs site generated."""
    sample = build_sample(tmp_path_factory.mktemp("docs"))
    sample.dbt("docs", "generate", "--static")
    return sample


@pytest.fixture(scope="session")
def manifest_path(docs_sample: SampleProject) -> Path:
    return docs_sample.target / "manifest.json"
