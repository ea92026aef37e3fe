"""A resource's fields reach the files of its layer: rendered with every field type, each file
is what the stack's own tools accept. (The slow tier runs the grown services themselves.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import copier
import pytest

from tests.helpers import BASE_ANSWERS, REPO_ROOT, grown_resources


def grown(dest: Path, stack: str) -> Path:
    """A service of `stack` with the resources people (a name) and books (every field type),
    each rendered as `visiobook add resource` renders it: the service layer, then each layer."""
    resources = grown_resources()
    base = {**BASE_ANSWERS, "stack": stack}
    layers: list[dict[str, Any]] = [{**base, "resources": resources}]
    for number, resource in enumerate(resources, start=2):
        layers.append(
            {
                **base,
                "layer": "resource",
                "resource": resource["name"],
                "fields": resource["fields"],
                "migration": f"{number:04d}",
                "migration_after": f"{number - 1:04d}",
            }
        )
    for answers in layers:
        copier.run_copy(
            str(REPO_ROOT), dest, data=answers, defaults=True, quiet=True, vcs_ref="HEAD"
        )
    return dest


@pytest.mark.filterwarnings("ignore::copier.errors.DirtyLocalWarning")
def test_the_fastapi_table_of_every_field_type_is_formatted_and_lint_clean(
    tmp_path: Path,
) -> None:
    project = grown(tmp_path / "svc", "fastapi")
    files = ["app/db/models/book.py", "alembic/versions/0003_create_books.py"]
    ruff = [sys.executable, "-m", "ruff"]
    for command in (["format", "--check"], ["check"]):
        result = subprocess.run(
            [*ruff, *command, *files], cwd=project, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr
    model = (project / "app/db/models/book.py").read_text()
    assert 'author_id: Mapped[uuid.UUID] = mapped_column(\n        ForeignKey("people.id"' in model
    assert "seen_at: Mapped[datetime | None]" in model


@pytest.mark.filterwarnings("ignore::copier.errors.DirtyLocalWarning")
def test_the_go_files_of_every_field_type_are_as_gofmt_writes_them(tmp_path: Path) -> None:
    project = grown(tmp_path / "svc", "go")
    result = subprocess.run(["gofmt", "-l", "."], cwd=project, capture_output=True, text=True)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    model = (project / "internal/models/book.go").read_text()
    assert '\tEditorID  *string           `json:"editorId"`\n' in model
    assert '\tEditor    Optional[*Person] `json:"editor,omitzero" db:"-"`\n' in model
    migration = (project / "migrations/0003_create_books.sql").read_text()
    assert "    author_id uuid NOT NULL REFERENCES people (id) ON DELETE RESTRICT,\n" in migration


@pytest.mark.filterwarnings("ignore::copier.errors.DirtyLocalWarning")
def test_the_prisma_schema_names_both_sides_of_each_relation(tmp_path: Path) -> None:
    project = grown(tmp_path / "svc", "node")
    schema = (project / "prisma/schema.prisma").read_text()
    assert (
        '  author    Person    @relation("BookAuthor", fields: [authorId], references: [id],'
        " onDelete: Restrict)\n" in schema
    )
    assert '  booksAsAuthor Book[] @relation("BookAuthor")\n' in schema
    migration = next((project / "prisma/migrations").glob("*_create_books/migration.sql"))
    assert (
        'ALTER TABLE "books" ADD CONSTRAINT "books_author_id_fkey" FOREIGN KEY ("author_id")'
        ' REFERENCES "people"("id") ON DELETE RESTRICT ON UPDATE CASCADE;'
    ) in migration.read_text()
