"""`visiobook add resource`: a resource added beside the example one is a layer of the template
of its own (its files, its answers file), and the service's files that list every resource get it
through Copier's three-way update, keeping the team's edits.

The tests use a small layered template in a temporary git repository, shaped as copier.yml and
templates/resource/<stack> are; the slow tier adds resources to real generated services.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tests.helpers import git
from visiobook_scaffold.cli import app
from visiobook_scaffold.errors import ScaffoldError
from visiobook_scaffold.fields import parse_field
from visiobook_scaffold.resource import AddResource, NewResource, add_resource, next_migration

runner = CliRunner()

LAYERED_COPIER_YML = """\
_subdirectory: "{{ 'resource' if layer == 'resource' else 'service' }}"
_answers_file: >-
  {{ '.copier-answers.resource-' ~ resource ~ '.yml'
  if layer == 'resource' else '.copier-answers.yml' }}
_templates_suffix: .jinja
stack: {type: str}
service_name: {type: str}
resource:
  type: str
  default: items
  validator: "{% if resource[-1] not in 'es' %}resource must be a plural noun{% endif %}"
layer:
  type: str
  default: service
  when: "{{ layer | default('service') == 'resource' }}"
resources:
  type: yaml
  default: []
  when: "{{ layer == 'service' and resources | default([]) | length > 0 }}"
migration:
  type: str
  default: "0001"
  when: "{{ layer == 'resource' }}"
fields:
  type: yaml
  default: [{name: name, type: string}]
  when: "{{ layer == 'resource' }}"
"""


RESOURCE_FILE = "the {{ resource }} routes\nline 2\nline 3\nline 4\n"


def visiobook(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(arg) for arg in args])
    return result.exit_code, result.stdout, result.stderr


def add_and_commit(service: Path, name: str) -> None:
    """Adds the resource, then commits it as a team would."""
    code, _, err = visiobook("add", "resource", name, service)
    assert code == 0, err
    git(service, "add", "--all")
    git(service, "commit", "--quiet", "--message", f"Add {name}")


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def service(tmp_path: Path) -> Path:
    """A service generated from the layered template's v1.0.0, committed."""
    template = tmp_path / "template"
    write(template / "copier.yml", LAYERED_COPIER_YML)
    answers = "{{ _copier_answers|to_nice_yaml }}"
    for layer in ("service", "resource"):
        write(template / layer / "{{_copier_conf.answers_file}}.jinja", answers)
        # The same file in both trees, as the stack's tree links the resource layer's.
        write(template / layer / "{{resource}}.txt.jinja", RESOURCE_FILE)
    write(
        template / "service" / "routes.txt.jinja",
        "route {{ resource }}\n{% for added in resources %}route {{ added.name }}\n{% endfor %}",
    )
    git(template, "init", "--quiet", "--initial-branch=main")
    git(template, "add", "--all")
    git(template, "commit", "--quiet", "--message", "v1.0.0")
    git(template, "tag", "v1.0.0")
    root = tmp_path / "svc"
    code, _, err = visiobook(
        "new", root, "--template", template, "--defaults",
        "--data", "stack=fastapi", "--data", "service_name=svc",
    )  # fmt: skip
    assert code == 0, err
    return root


def test_a_resource_is_added_as_a_layer_and_listed_keeping_the_team_s_edits(
    service: Path,
) -> None:
    routes = service / "routes.txt"
    routes.write_text("# the team's own comment\n" + routes.read_text())
    git(service, "commit", "--quiet", "--all", "--message", "Our comment")

    code, out, err = visiobook("add", "resource", "people", service)

    assert code == 0, err
    assert (service / "people.txt").read_text() == "the people routes\nline 2\nline 3\nline 4\n"
    assert routes.read_text() == "# the team's own comment\nroute items\nroute people\n"
    layer = yaml.safe_load((service / ".copier-answers.resource-people.yml").read_text())
    assert layer["layer"] == "resource"
    assert layer["resource"] == "people"
    assert layer["_commit"] == "v1.0.0"
    assert "resources" not in layer
    recorded = yaml.safe_load((service / ".copier-answers.yml").read_text())
    assert recorded["resources"] == [
        {"name": "people", "fields": [{"name": "name", "type": "string"}]}
    ]
    assert "layer" not in recorded
    assert "  new      people.txt\n" in out
    assert "  changed  routes.txt\n" in out


def test_the_given_fields_are_recorded_in_the_resource_s_answers_and_the_service_s(
    service: Path,
) -> None:
    fields = [parse_field("title:string(80):required", []), parse_field("born:date", [])]

    add_resource(AddResource(service, [NewResource("people", fields)]))

    answers = [field.answer() for field in fields]
    layer = yaml.safe_load((service / ".copier-answers.resource-people.yml").read_text())
    assert layer["fields"] == answers
    recorded = yaml.safe_load((service / ".copier-answers.yml").read_text())
    assert recorded["resources"] == [{"name": "people", "fields": answers}]


def test_the_team_s_edit_next_to_the_new_line_is_left_as_a_conflict_exit_1(
    service: Path,
) -> None:
    with (service / "routes.txt").open("a") as routes:
        routes.write("route health, the team's own\n")
    git(service, "commit", "--quiet", "--all", "--message", "Our route")

    code, out, _ = visiobook("add", "resource", "people", service)

    assert code == 1
    assert "  conflict routes.txt: resolve the markers, then commit\n" in out
    merged = (service / "routes.txt").read_text()
    assert "route health, the team's own\n" in merged
    assert "route people\n" in merged
    assert "<<<<<<< " in merged
    assert (service / "people.txt").is_file()


def test_resources_are_listed_in_the_order_they_were_added(service: Path) -> None:
    for name in ("people", "boxes"):
        add_and_commit(service, name)

    assert (service / "routes.txt").read_text() == "route items\nroute people\nroute boxes\n"
    recorded = yaml.safe_load((service / ".copier-answers.yml").read_text())
    assert [added["name"] for added in recorded["resources"]] == ["people", "boxes"]


def test_diff_sees_an_added_resource_as_the_template_s_and_the_team_s_edit_as_theirs(
    service: Path,
) -> None:
    add_and_commit(service, "people")
    code, out, err = visiobook("diff", service)
    assert (code, out) == (0, "svc matches a clean render of template v1.0.0.\n"), err

    people = service / "people.txt"
    people.write_text(people.read_text().replace("line 2", "line 2, ours"))
    code, out, err = visiobook("diff", service)

    assert code == 1, err
    assert "-line 2\n+line 2, ours\n" in out
    assert out.count("diff --git") == 1


def test_pretend_names_the_files_and_writes_nothing(service: Path) -> None:
    code, out, err = visiobook("add", "resource", "people", service, "--pretend")

    assert code == 0, err
    assert out.splitlines() == [
        "Pretend run: adding people would write",
        "  new      .copier-answers.resource-people.yml",
        "  new      people.txt",
        "  changed  .copier-answers.yml",
        "  changed  routes.txt",
    ]
    assert git(service, "status", "--porcelain", "--untracked-files=all") == ""


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("items", "the service already has the resource 'items'"),
        ("person", "resource must be a plural noun"),
    ],
)
def test_a_name_taken_or_refused_by_the_template_writes_nothing(
    service: Path, name: str, reason: str
) -> None:
    code, out, err = visiobook("add", "resource", name, service)

    assert code == 2
    assert out == ""
    assert err == f"error: {reason}\n"
    assert git(service, "status", "--porcelain", "--untracked-files=all") == ""


def test_a_tree_with_uncommitted_changes_is_refused_untouched(service: Path) -> None:
    (service / "notes.txt").write_text("ours, not committed\n")

    code, _, err = visiobook("add", "resource", "people", service)

    assert code == 2
    assert err.count("\n") == 1
    assert "1 uncommitted change(s): commit or stash them first" in err
    assert git(service, "status", "--porcelain", "--untracked-files=all") == "?? notes.txt"


def test_a_template_version_without_the_resource_layer_says_to_update_first(
    service: Path,
) -> None:
    template = Path(yaml.safe_load((service / ".copier-answers.yml").read_text())["_src_path"])
    # Its first versions knew nothing of layers: one tree, one answers file.
    (template / "copier.yml").write_text(
        "_subdirectory: service\n_templates_suffix: .jinja\n"
        "stack: {type: str}\nservice_name: {type: str}\nresource: {type: str, default: items}\n"
    )
    (template / "service" / "routes.txt.jinja").write_text("route {{ resource }}\n")
    git(template, "commit", "--quiet", "--all", "--message", "no layers")
    git(service, "checkout", "--quiet", "-b", "older")
    answers = service / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace("v1.0.0", git(template, "rev-parse", "HEAD")))
    git(service, "commit", "--quiet", "--all", "--message", "at the commit without layers")

    code, _, err = visiobook("add", "resource", "people", service)

    assert code == 2
    assert "cannot add resources: run `visiobook update` first" in err
    assert git(service, "status", "--porcelain", "--untracked-files=all") == ""


def test_an_alembic_revision_follows_the_head_whatever_the_team_named_theirs(
    tmp_path: Path,
) -> None:
    versions = tmp_path / "alembic" / "versions"
    write(versions / "0001_create_items.py", 'revision: str = "0001"\ndown_revision = None\n')
    write(
        versions / "3f2a9c_add_column.py",
        'revision = "3f2a9c"\ndown_revision: str | None = "0001"\n',
    )

    assert next_migration(tmp_path, "fastapi") == {"migration": "0002", "migration_after": "3f2a9c"}


def test_alembic_with_two_heads_is_refused(tmp_path: Path) -> None:
    versions = tmp_path / "alembic" / "versions"
    write(versions / "0001_a.py", 'revision = "0001"\ndown_revision = None\n')
    write(versions / "0002_b.py", 'revision = "0002"\ndown_revision = "0001"\n')
    write(versions / "0003_c.py", 'revision = "0003"\ndown_revision = "0001"\n')

    with pytest.raises(ScaffoldError, match=r"2 heads \(0002, 0003\): merge them first"):
        next_migration(tmp_path, "fastapi")


def test_goose_and_prisma_migrations_come_after_the_latest(tmp_path: Path) -> None:
    write(tmp_path / "migrations" / "00001_create_items.sql", "")
    write(tmp_path / "migrations" / "00007_ours.sql", "")
    assert next_migration(tmp_path, "go") == {"migration": "00008"}

    future = tmp_path / "prisma" / "migrations" / "29991231235959_ours" / "migration.sql"
    write(future, "")
    assert next_migration(tmp_path, "node") == {"migration": "29991231235960"}
    future.parent.rename(future.parent.with_name("20261124000000_create_items"))
    assert next_migration(tmp_path, "node")["migration"] >= f"{datetime.now(UTC):%Y%m%d%H%M}"


def test_an_update_reaches_the_example_and_the_added_resources_keeping_their_edits(
    service: Path,
) -> None:
    for name in ("people", "boxes"):
        add_and_commit(service, name)
    for name in ("items", "people", "boxes"):
        edited = service / f"{name}.txt"
        edited.write_text(edited.read_text().replace("line 4", f"line 4, our {name}"))
    git(service, "commit", "--quiet", "--all", "--message", "Our edits")
    start = git(service, "rev-parse", "HEAD")
    template = Path(yaml.safe_load((service / ".copier-answers.yml").read_text())["_src_path"])
    for layer in ("service", "resource"):
        write(
            template / layer / "{{resource}}.txt.jinja",
            RESOURCE_FILE.replace("routes", "routes, version 2"),
        )
    git(template, "commit", "--quiet", "--all", "--message", "v2.0.0")
    git(template, "tag", "v2.0.0")

    code, out, err = visiobook("update", service)

    assert code == 0, err + out
    for name in ("items", "people", "boxes"):
        assert (service / f"{name}.txt").read_text() == (
            f"the {name} routes, version 2\nline 2\nline 3\nline 4, our {name}\n"
        )
    for answers in (
        ".copier-answers.yml",
        *(f".copier-answers.resource-{n}.yml" for n in ("people", "boxes")),
    ):
        assert yaml.safe_load((service / answers).read_text())["_commit"] == "v2.0.0", answers
    # One reviewable set of changes on top of the team's last commit, as for a service alone.
    assert git(service, "rev-parse", "HEAD") == start
    assert (service / "routes.txt").read_text() == "route items\nroute people\nroute boxes\n"


def test_an_update_whose_added_resource_cannot_render_changes_nothing(
    service: Path,
) -> None:
    add_and_commit(service, "people")
    start = git(service, "rev-parse", "HEAD")
    template = Path(yaml.safe_load((service / ".copier-answers.yml").read_text())["_src_path"])
    write(template / "service" / "notes.txt", "a new file of the service layer\n")
    write(template / "resource" / "broken.txt.jinja", "{{ this is not jinja }}\n")
    git(template, "add", "--all")
    git(template, "commit", "--quiet", "--message", "v2.0.0")
    git(template, "tag", "v2.0.0")

    code, _, err = visiobook("update", service)

    assert code == 2
    assert err.startswith("error: update failed, nothing was changed: "), err
    assert err.count("\n") == 1, err
    assert git(service, "rev-parse", "HEAD") == start
    assert git(service, "status", "--porcelain", "--untracked-files=all") == ""
    assert not (service / "notes.txt").exists()


def test_an_update_cannot_change_the_list_of_resources(service: Path) -> None:
    code, _, err = visiobook("update", service, "--data", "resources=[people]")

    assert code == 2
    assert (
        err
        == "error: an update cannot change 'resources': `visiobook add resource` adds resources\n"
    )


def test_new_neither_lists_nor_takes_the_answers_of_layers(tmp_path: Path) -> None:
    code, out, _ = visiobook("new", "--list-answers")
    assert code == 0
    listed = {line.split()[0] for line in out.splitlines()[1:]}
    assert {"resource", "cache"} <= listed
    assert not {"layer", "resources", "fields", "migration", "migration_after"} & listed

    code, _, err = visiobook(
        "new", tmp_path / "svc", "--stack", "fastapi", "--name", "svc", "--defaults",
        "--data", "resources=[people]",
    )  # fmt: skip
    assert code == 2
    assert err.startswith("error: unknown answer 'resources'")
    assert not (tmp_path / "svc").exists()


DOMAIN = """\
resources:
  people:
    fields:
      name: string(80):required
  books:
    fields:
      title: {type: string, max_length: 200, required: true}
      author: reference(people):required
"""


def test_from_adds_the_resource_after_those_it_refers_to_then_only_what_is_new(
    service: Path, tmp_path: Path
) -> None:
    domain = tmp_path / "domain.yaml"
    domain.write_text(DOMAIN)

    code, out, err = visiobook("add", "resource", "books", service, "--from", domain)

    assert code == 0, err
    assert out.startswith("Added the resources people, books:\n")
    assert (service / "routes.txt").read_text() == "route items\nroute people\nroute books\n"
    recorded = yaml.safe_load((service / ".copier-answers.yml").read_text())["resources"]
    assert [resource["name"] for resource in recorded] == ["people", "books"]
    author = recorded[1]["fields"][1]
    assert (author["name"], author["type"], author["target"]) == ("author", "reference", "people")
    # Each table is created after the one it refers to.
    people = yaml.safe_load((service / ".copier-answers.resource-people.yml").read_text())
    books = yaml.safe_load((service / ".copier-answers.resource-books.yml").read_text())
    assert (people["migration"], books["migration"]) == ("0001", "0002")
    git(service, "add", "--all")
    git(service, "commit", "--quiet", "--message", "Add people and books")

    code, out, err = visiobook("add", "resource", "books", service, "--from", domain)

    assert (code, err) == (0, "")
    assert out == "Nothing to add: the service has books and what it refers to.\n"
    assert git(service, "status", "--porcelain") == ""


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--field", "title:string", "--from", "domain.yaml"], "one of --field, --from and"),
        (["--from", "domain.yaml", "--api", "openapi.json"], "one of --field, --from and"),
        (["--api", "openapi.json"], "cannot read the contract openapi.json"),
        (["--field", "title:strin"], "field 'title': unknown type 'strin'"),
        (["--field", "owner:reference(nobody)"], "nobody"),
        (["--from", "domain.yaml"], "domain.yaml does not describe 'reviews'"),
    ],
)
def test_fields_that_cannot_be_written_are_one_line_exit_2_nothing_written(
    service: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arguments: list[str],
    message: str,
) -> None:  # fmt: skip
    (tmp_path / "domain.yaml").write_text(DOMAIN)
    monkeypatch.chdir(tmp_path)

    code, out, err = visiobook("add", "resource", "reviews", service, *arguments)

    assert (code, out) == (2, "")
    assert message in err
    assert err.count("\n") == 1
    assert git(service, "status", "--porcelain") == ""
