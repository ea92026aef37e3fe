"""The fields `visiobook add resource --field` and `--from` take: parsed, checked, recorded."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from jinja2.sandbox import SandboxedEnvironment

from tests.helpers import REPO_ROOT
from visiobook_scaffold.errors import ScaffoldError
from visiobook_scaffold.fields import (
    Field,
    check_fields,
    parse_field,
    read_model_file,
    snake,
)
from visiobook_scaffold.questions import COPIER_EXTENSIONS

RESOURCES = ["items", "people"]


def field(spec: str) -> Field:
    return parse_field(spec, RESOURCES)


def refusal(spec: str) -> str:
    with pytest.raises(ScaffoldError) as error:
        field(spec)
    return str(error.value)


def test_each_type_gets_its_default_bounds() -> None:
    assert field("title:string").max_length == 200
    assert field("body:text").max_length == 10_000
    assert (field("price:decimal").precision, field("price:decimal").scale) == (12, 2)
    assert field("count:integer") == Field("count", "integer")
    assert field("born:date") == Field("born", "date")
    assert field("seenAt:datetime") == Field("seenAt", "datetime")
    assert field("active:boolean") == Field("active", "boolean")


def test_arguments_set_lengths_precision_values_and_targets() -> None:
    assert field("code:string(12)").max_length == 12
    assert (field("rate:decimal(5,4)").precision, field("rate:decimal(5,4)").scale) == (5, 4)
    assert field("rate:decimal(8)").scale == 0
    assert field("status:enum(draft, in-review,published)").values == (
        "draft",
        "in-review",
        "published",
    )
    owner = field("owner:reference(people)")
    assert (owner.target, owner.indexed) == ("people", True)


def test_modifiers_are_recorded_and_a_unique_field_needs_no_second_index() -> None:
    title = field("title:string(120):required:unique:indexed")
    assert (title.required, title.unique, title.indexed) == (True, True, False)
    assert field("rank:integer:indexed").indexed


def test_defaults_are_typed_as_json_holds_them() -> None:
    assert field("count:integer:default=-3").default == -3
    assert field("active:boolean:default=false").default is False
    assert field("price:decimal(6,2):default=12.50").default == "12.50"
    assert field("born:date:default=2026-02-28").default == "2026-02-28"
    assert field("status:enum(draft,published):required:default=draft").default == "draft"
    # A default takes the rest of the text, colons and all.
    assert field("note:string:default=at 10:30").default == "at 10:30"


def test_the_answer_records_every_key() -> None:
    assert field("status:enum(a,b):default=a").answer() == {
        "name": "status",
        "type": "enum",
        "required": False,
        "unique": False,
        "indexed": False,
        "default": "a",
        "max_length": None,
        "precision": None,
        "scale": None,
        "values": ["a", "b"],
        "target": None,
    }


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("title", "has no type: write it name:type, e.g. title:string"),
        ("unit_price:decimal", "must be lowerCamelCase, as the API names fields (unitPrice)"),
        ("Title:string", "must be lowerCamelCase"),
        ("createdAt:datetime", "every resource has it already"),
        ("id:string", "every resource has it already"),
        ("from:string", "is a Python keyword"),
        ("order:integer", "is a reserved word of PostgreSQL"),
        ("currentUser:string", "is a reserved word of PostgreSQL"),
        ("metadata:text", "a name the models already use"),
        ("modelName:string", "a name the models already use"),
        ("constructor:string", "a name the models already use"),
        ("a" * 31 + ":string", "must be at most 30 characters"),
        ("title:varchar", "unknown type 'varchar'"),
        ("title:string(0)", "0 is not within 1 and 1000000"),
        ("title:string(x)", "write it string(MAX_LENGTH)"),
        ("price:decimal(4,6)", "a scale of 6 exceeds the precision"),
        ("price:decimal(40,2)", "40 is not within 1 and 38"),
        ("count:integer(4)", "integer takes no arguments"),
        ("status:enum", "write its values, e.g. enum(draft,published)"),
        ("status:enum(Draft)", "enum value 'Draft' must be lowercase words"),
        ("status:enum(a,a)", "an enum value is given twice"),
        ("owner:reference(users)", "'users' is not a resource of the service (items, people)"),
        ("owner:reference", "name the resource, e.g. reference(people)"),
        ("title:string:mandatory", "unknown modifier 'mandatory'"),
        ("title:string:required:required", "required is given twice"),
        ("title:string:default", "unknown modifier 'default'"),
        ("code:string:unique:default=x", "a unique field cannot have a default"),
        ("count:integer:default=1.5", "'1.5' is not a integer"),
        ("count:integer:default=2147483648", "is not a integer"),
        ("price:decimal(4,2):default=123.4", "'123.4' does not fit decimal(4,2)"),
        ("price:decimal(4,2):default=1.234", "does not fit decimal(4,2)"),
        ("active:boolean:default=yes", "'yes' is not a boolean"),
        ("born:date:default=2026-02-30", "'2026-02-30' is not a date"),
        ("status:enum(a,b):default=c", "'c' is not one of its values (a, b)"),
        ("seenAt:datetime:default=now", "a datetime field takes no default"),
        ("owner:reference(people):default=x", "a reference field takes no default"),
        ("code:string(3):default=abcd", "'abcd' is not a string"),
    ],
)
def test_a_field_the_backends_cannot_hold_is_refused_with_one_reason(
    spec: str, message: str
) -> None:
    assert message in refusal(spec)


def test_snake_case_names_the_column() -> None:
    assert [snake(name) for name in ("title", "unitPrice", "isbn13", "seenAtUtc")] == [
        "title",
        "unit_price",
        "isbn13",
        "seen_at_utc",
    ]


def test_the_templates_snake_case_a_field_as_the_cli_does() -> None:
    # templates/names.jinja's field_snake, under the filters Copier gives templates.
    environment = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(REPO_ROOT), extensions=COPIER_EXTENSIONS
    )
    macros = environment.get_template("templates/names.jinja").module
    names = ["title", "unitPrice", "isbn13", "seenAtUtc", "aB", "x9Y"]
    field_snake = vars(macros)["field_snake"]  # a macro, which mypy cannot see
    assert [str(field_snake(name)) for name in names] == [snake(name) for name in names]


def test_fields_of_one_resource_may_not_share_a_name_or_what_a_reference_derives() -> None:
    with pytest.raises(ScaffoldError, match="fields 'title' and 'title' share the name 'title'"):
        check_fields([field("title:string"), field("title:text")], "books")
    with pytest.raises(ScaffoldError, match="fields 'owner' and 'ownerId' share the name"):
        check_fields([field("owner:reference(people)"), field("ownerId:string")], "books")
    with pytest.raises(ScaffoldError, match="books needs at least one field"):
        check_fields([], "books")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "model.yaml"
    path.write_text(text)
    return path


def test_a_model_file_describes_resources_in_order_in_either_form(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
resources:
  authors:
    fields:
      name: string(120):required:unique
      born: {type: date}
  books:
    fields:
      title: {type: string, max_length: 80, required: true}
      status: {type: enum, values: [draft, published], default: draft}
      inPrint: {type: boolean, default: true}
      author: reference(authors)
      editor: {type: reference, target: people}
""",
    )
    authors, books = read_model_file(path, RESOURCES)
    assert authors.name == "authors"
    assert [f.name for f in authors.fields] == ["name", "born"]
    assert books.fields[0] == Field("title", "string", required=True, max_length=80)
    assert books.fields[1].default == "draft"
    assert books.fields[2].default is True
    assert [f.target for f in books.fields[3:]] == ["authors", "people"]


def test_json_is_a_model_file_too(tmp_path: Path) -> None:
    path = write(tmp_path, '{"resources": {"tags": {"fields": {"label": "string:required"}}}}')
    [tags] = read_model_file(path, RESOURCES)
    assert tags.fields == [Field("label", "string", required=True, max_length=200)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("resources: [books]", "must map `resources` to the resources it describes"),
        ("- a\n- b", "must map `resources`"),
        ("resources:\n  books: {}\n", "resource 'books' must map `fields` to its fields"),
        ("resources: {books: {fields: {title: [1]}}}", "books: field 'title': give a type"),
        ("resources: {books: {fields: {title: {max_length: 3}}}}", "has no type"),
        ("resources: {books: {fields: {title: {type: string, size: 3}}}}", "unknown key 'size'"),
        (
            "resources: {books: {fields: {by: reference(writers)}}, writers: {fields: {n: text}}}",
            "field 'by' refers to writers, which the file describes after it: describe writers",
        ),
        ("resources: {books: {fields: {parent: reference(books)}}}", "cannot refer to itself"),
        ("resources: {books: {fields: {x: string}", "is not YAML or JSON (line 1)"),
    ],
)
def test_a_model_file_that_cannot_be_read_is_refused_with_the_reason(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ScaffoldError) as error:
        read_model_file(write(tmp_path, text), RESOURCES)
    assert message in str(error.value)
