"""`visiobook add resource --api`: a backend's resources read back from its contract
(api/openapi.json), so that a Vue app pointed at it records the same fields and renders the same
contract. The slow tier drives such an app in Chromium against each booted backend."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import grown_resources
from tests.test_resource_fields import grown
from visiobook_scaffold.contract_fields import read_contract
from visiobook_scaffold.errors import ScaffoldError

pytestmark = pytest.mark.filterwarnings("ignore::copier.errors.DirtyLocalWarning")


def without_indexes(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fields as the contract says them: an index is the database's business, not the API's."""
    return [{**field, "indexed": False} for field in fields]


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return grown(tmp_path_factory.mktemp("backend") / "svc", "fastapi")


def test_a_backend_s_contract_gives_back_every_field_type_and_modifier(backend: Path) -> None:
    read = {model.name: model.fields for model in read_contract(backend, [])}

    assert list(read) == ["items", "people", "books"]
    for recorded in grown_resources():
        fields = [field.answer() for field in read[recorded["name"]]]
        assert without_indexes(fields) == without_indexes(recorded["fields"])


def test_a_vue_app_with_the_fields_read_back_renders_the_backend_s_contract(
    backend: Path, tmp_path: Path
) -> None:
    app = grown(tmp_path / "web", "vue")
    ours, theirs = (json.loads((root / "api/openapi.json").read_text()) for root in (app, backend))

    assert ours["paths"] == theirs["paths"]
    assert ours["components"] == theirs["components"]
    books = (app / "src/resources/books.ts").read_text()
    assert "export const bookResource = defineResource<BookContract>({\n" in books
    assert '      resource: "people",\n      embedded: "author",\n' in books


def write(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document) if not isinstance(document, str) else document)
    return path


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{not json", "is not JSON (line 1)"),
        ({"openapi": "3.1.0"}, "is not an OpenAPI document: it has no paths or schemas"),
        ({"paths": {"/live": {}}, "components": {"schemas": {}}}, "describes no resource"),
    ],
)
def test_a_file_that_is_no_contract_is_refused_in_one_line(
    tmp_path: Path, document: object, message: str
) -> None:
    with pytest.raises(ScaffoldError, match=re.escape(message)) as refused:
        read_contract(write(tmp_path / "openapi.json", document), [])
    assert "\n" not in str(refused.value)


def test_a_member_no_stack_writes_is_named_with_its_resource(backend: Path, tmp_path: Path) -> None:
    document = json.loads((backend / "api/openapi.json").read_text())
    document["components"]["schemas"]["BookInput"]["properties"]["weight"] = {"type": "number"}

    with pytest.raises(ScaffoldError, match=r"books: member 'weight' is not a field visiobook"):
        read_contract(write(tmp_path / "openapi.json", document), [])


def test_a_missing_contract_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ScaffoldError, match=r"cannot read the contract .*api/openapi.json"):
        read_contract(tmp_path, [])
