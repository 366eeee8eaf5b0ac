"""House style: every variable is typed and described; terraform.tfvars.example documents
every variable of the root module."""

from __future__ import annotations

import re

from tests.terraform.hcl_policies import load
from tests.terraform.tf_harness import TERRAFORM_DIR


def test_every_variable_is_typed_and_described() -> None:
    files = [TERRAFORM_DIR / "variables.tf", *sorted(TERRAFORM_DIR.glob("modules/*/variables.tf"))]
    assert len(files) > 5
    for path in files:
        for entry in load(path).get("variable", []):
            for name, body in entry.items():
                where = f"{path.relative_to(TERRAFORM_DIR)}: {name}"
                assert body.get("type"), f"{where} has no type"
                assert str(body.get("description", "")).strip(), f"{where} has no description"


def test_the_example_tfvars_lists_every_root_variable() -> None:
    declared = {
        name for entry in load(TERRAFORM_DIR / "variables.tf")["variable"] for name in entry
    }
    example = (TERRAFORM_DIR / "terraform.tfvars.example").read_text()
    listed = set(re.findall(r"^(\w+)\s*=", example, re.MULTILINE))
    assert declared == listed, {"missing": declared - listed, "unknown": listed - declared}
