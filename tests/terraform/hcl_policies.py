"""The IAM policy documents of the Terraform modules, read with python-hcl2."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2

from tests.terraform.tf_harness import TERRAFORM_DIR

OPTIONS = hcl2.SerializationOptions(
    strip_string_quotes=True, explicit_blocks=False, with_comments=False
)


def load(path: Path) -> dict[str, Any]:
    with path.open() as handle:
        return dict(hcl2.load(handle, serialization_options=OPTIONS))


def blocks(document: dict[str, Any], kind: str, type_name: str) -> dict[str, dict[str, Any]]:
    """`data`/`resource` blocks of one type, by name."""
    found: dict[str, dict[str, Any]] = {}
    for entry in document.get(kind, []):
        for name, body in entry.get(type_name, {}).items():
            found[name] = body
    return found


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: frozenset[str]
    resources: tuple[str, ...]
    sid: str = ""
    principals: tuple[str, ...] = ()


def policy_documents(module: str) -> dict[str, list[Statement]]:
    """Every aws_iam_policy_document of a module, as its statements."""
    documents: dict[str, list[Statement]] = {}
    for path in sorted((TERRAFORM_DIR / "modules" / module).glob("*.tf")):
        for name, body in blocks(load(path), "data", "aws_iam_policy_document").items():
            documents[name] = [
                Statement(
                    effect=str(statement.get("effect", "Allow")),
                    actions=frozenset(as_list(statement.get("actions"))),
                    resources=tuple(str(r) for r in as_list(statement.get("resources"))),
                    sid=str(statement.get("sid", "")),
                    principals=tuple(
                        f"{p['type']}:{identifier}"
                        for p in as_list(statement.get("principals"))
                        for identifier in as_list(p.get("identifiers"))
                    ),
                )
                for statement in as_list(body.get("statement"))
            ]
    return documents


def role_policies(module: str) -> dict[str, str]:
    """Every aws_iam_role_policy of a module: its name, and the expression of its policy."""
    found: dict[str, str] = {}
    for path in sorted((TERRAFORM_DIR / "modules" / module).glob("*.tf")):
        for name, body in blocks(load(path), "resource", "aws_iam_role_policy").items():
            found[name] = str(body.get("policy"))
    return found


def resource_types(module: str) -> set[str]:
    """The resource types a module declares."""
    types: set[str] = set()
    for path in sorted((TERRAFORM_DIR / "modules" / module).glob("*.tf")):
        for entry in load(path).get("resource", []):
            types |= set(entry)
    return types


def allowed_actions(statements: list[Statement]) -> set[str]:
    return {a for s in statements if s.effect == "Allow" for a in s.actions}


def allows(statements: list[Statement], action: str, resource_contains: str) -> bool:
    return any(
        s.effect == "Allow"
        and action in s.actions
        and any(resource_contains in r for r in s.resources)
        for s in statements
    )
