"""The `visiobook` command line: a thin layer over the library modules.

Copier is imported only by the commands that render (see generate.py), so `--help`,
`--version` and `list` stay fast.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer
from typer.core import TyperCommand, TyperGroup

from visiobook_scaffold import __version__, git
from visiobook_scaffold.answers import check_answers, load_data_file, parse_data_pairs
from visiobook_scaffold.errors import ScaffoldError
from visiobook_scaffold.template import (
    Stack,
    TemplateConfig,
    embedded_template_root,
    is_git_checkout,
    is_local_template,
    load_config,
)

if TYPE_CHECKING:
    from visiobook_scaffold.currency import Currency
    from visiobook_scaffold.generate import Generated
    from visiobook_scaffold.update import Updated


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@contextmanager
def reported_errors() -> Iterator[None]:
    """A command's work: a ScaffoldError raised in it is one line on stderr and its exit code
    (2 for bad input, 130 for Ctrl-C)."""
    try:
        yield
    except ScaffoldError as error:
        raise fail(str(error), error.exit_code) from None


def _usage_error() -> type[Exception]:
    """Click's UsageError, of the Click that Typer runs on (recent Typers carry a copy of their
    own): a base of the BadParameter Typer exports."""
    found = [cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "UsageError"]
    return cast("type[Exception]", found[0])


USAGE_ERROR = _usage_error()


@contextmanager
def _one_line_usage() -> Iterator[None]:
    try:
        yield
    except USAGE_ERROR as error:
        if type(error).__name__ == "NoArgsIsHelpError":
            raise  # `visiobook` alone: the help, as asked for
        message = " ".join(getattr(error, "format_message", error.__str__)().split())
        ctx = getattr(error, "ctx", None)
        where = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        raise fail(message.rstrip(".") + where) from None


class OneLineUsage(TyperGroup):
    """Usage mistakes Click finds before a command runs (an unknown option, an option without
    its value, an extra argument) are bad input too: one line and exit code 2, no box."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        with _one_line_usage():
            return super().make_context(*args, **kwargs)

    def invoke(self, *args: Any, **kwargs: Any) -> Any:
        with _one_line_usage():
            return super().invoke(*args, **kwargs)


class PlainHelp(TyperCommand):
    """--help names an argument as its metavar alone (`PATH`), where Typer adds the type of
    its value (`PATH <path>`)."""

    def format_options(self, ctx: Any, formatter: Any) -> None:
        sections: dict[str, list[tuple[str, str]]] = {"Arguments": [], "Options": []}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            name, text = record
            if param.param_type_name == "argument":
                sections["Arguments"].append((name.split(" ", 1)[0], text))
            else:
                sections["Options"].append((name, text))
        for title, rows in sections.items():
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


app = typer.Typer(
    cls=OneLineUsage,
    help="Generate and maintain Visiobook microservices that follow the Visiobook guidelines.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"visiobook {__version__}")
        raise typer.Exit


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Generate and maintain Visiobook microservices that follow the Visiobook guidelines."""


@app.command("list", cls=PlainHelp)
def list_stacks() -> None:
    """List the stacks, with their default language and framework versions."""
    with reported_errors():
        config = load_config(embedded_template_root())
    width = max(len(key) for key in config.stacks)
    for stack in config.stacks.values():
        versions = f"{stack.language} {stack.default_language_version}"
        if len(stack.language_versions) > 1:
            versions += f" ({', '.join(stack.language_versions)})"
        status = "" if stack.available else "  [not available yet]"
        typer.echo(
            f"{stack.key:<{width}}  {versions}, {stack.framework} {stack.framework_version},"
            f" port {stack.port}: {stack.summary}{status}"
        )


@app.command(cls=PlainHelp)
def doctor(
    stack: Annotated[
        str | None,
        typer.Option("--stack", "-s", metavar="STACK", help="Only what this stack needs."),
    ] = None,
) -> None:
    """Tell what this machine has of what the stacks need, and how to get the rest.

    Exit code 0 when every required tool is there (git, and each stack's toolchain at a
    version it generates for), 1 when one is missing, 2 on an unknown stack. The others
    (PostgreSQL, Docker, helm, kubectl, Chromium) are advice.
    """
    from visiobook_scaffold.doctor import examine, missing_required

    with reported_errors():
        config = load_config(embedded_template_root())
        if stack is not None and stack not in config.stacks:
            raise ScaffoldError(
                f"unknown stack {stack!r}; choose one of: {', '.join(config.stacks)}"
            )
    chosen = [config.stacks[stack]] if stack else config.available_stacks()
    findings = examine(chosen)
    for finding in findings:
        typer.echo(f"{finding.status:<8} {finding.what}: {finding.found or 'not found'}")
        if finding.fix:
            typer.echo(f"{'':<8} fix: {finding.fix}")
    missing = missing_required(findings)
    if missing:
        typer.echo(f"Missing: {', '.join(finding.what for finding in missing)}.")
        raise typer.Exit(1)
    typer.echo("Everything the stacks need is here.")


@app.command(cls=PlainHelp)
def new(
    dest: Annotated[
        Path | None,
        typer.Argument(
            metavar="DEST", help="Folder to create (must not exist or be empty). Default: ./NAME"
        ),
    ] = None,
    stack: Annotated[
        str | None,
        typer.Option("--stack", "-s", metavar="STACK", help="Stack key (see `visiobook list`)."),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", "-n", metavar="NAME", help="Service name, e.g. media-service."),
    ] = None,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data", "-d", metavar="KEY=VALUE", help="An answer as key=value; repeatable."
        ),
    ] = None,
    data_file: Annotated[
        Path | None,
        typer.Option("--data-file", metavar="FILE", help="YAML or JSON file of answers."),
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Never prompt: use defaults for answers not given.")
    ] = False,
    template: Annotated[
        str | None,
        typer.Option(
            "--template",
            metavar="SRC",
            help="Template folder or git URL (default: the embedded one).",
        ),
    ] = None,
    vcs_ref: Annotated[
        str | None,
        typer.Option("--vcs-ref", metavar="REF", help="Git tag, branch or commit of the template."),
    ] = None,
    pretend: Annotated[
        bool, typer.Option("--pretend", help="Show what would be written; write nothing.")
    ] = False,
    no_git: Annotated[
        bool, typer.Option("--no-git", help="Skip `git init` and the first commit.")
    ] = False,
    list_answers: Annotated[
        bool,
        typer.Option(
            "--list-answers",
            help="List the answers --data takes, with their defaults; generate nothing.",
        ),
    ] = False,
) -> None:
    """Generate a new service from a stack template.

    On a terminal, asks for what is not given (the folder too), shows every answer and asks
    before writing. With --defaults or no terminal, give --stack and --name; the other
    answers take their defaults, which --list-answers lists.
    """
    from visiobook_scaffold.generate import NewProject, generate, is_interactive

    with reported_errors():
        template_src, vcs_ref, config = _template_for_new(template, vcs_ref)
        if list_answers:
            _print_answers(config)
            return
        answers = _collect_answers(stack, name, data or [], data_file, config)
        ask = is_interactive() and not defaults
        if not ask:
            for required, option in (("stack", "--stack"), ("service_name", "--name")):
                if required not in answers:
                    raise ScaffoldError(
                        f"{option} is required when not prompting (--defaults or no terminal)"
                    )
        elif config is not None:
            # Our prompts when they can read the template first; else (a git URL) Copier's.
            from visiobook_scaffold import prompts

            if prompts.can_ask(config):
                answered = prompts.ask(config, answers, dest)
                dest, answers, ask = answered.folder, answered.answers, False
        target = dest or _folder_named_after(answers.get("service_name"))
        if target is None:
            raise ScaffoldError("give a destination folder or --name")
        result = generate(
            NewProject(target, template_src, vcs_ref, answers, ask, pretend, git=not no_git)
        )

    if pretend:
        typer.echo("Pretend run: nothing was written.")
        return
    _print_summary(result, config)


def _folder_named_after(name: object) -> Path | None:
    """The destination a name gives when none is given: a folder of that name, here."""
    if name is None:
        return None
    text = str(name)
    if text in ("", ".", "..") or Path(text).name != text:
        raise ScaffoldError(
            f"--name {text!r} cannot name the service's folder: service_name must be a DNS-1123"
            " label such as media-service"
        )
    return Path(text)


def _print_answers(config: TemplateConfig | None) -> None:
    if config is None:
        raise ScaffoldError("--list-answers reads a template on this machine, not a git URL")
    typer.echo("Answers for `visiobook new` (--data KEY=VALUE, --data-file FILE, or asked):")
    for line in config.answer_lines():
        typer.echo(line)


def _template_for_new(
    template: str | None, vcs_ref: str | None
) -> tuple[str, str | None, TemplateConfig | None]:
    """The source to render from, the ref, and the template's config when it can be read now."""
    from visiobook_scaffold.versions import CANONICAL_SOURCE, built_commit

    if template is not None:
        if not is_local_template(template):
            return template, vcs_ref, None
        # The service records this place; a relative one would be looked for from the service.
        folder = Path(template).expanduser().resolve()
        return str(folder), vcs_ref, load_config(folder)
    root = embedded_template_root()
    config = load_config(root)
    if is_git_checkout(root):
        # Developing the templates: render the working tree, not the newest tag.
        return str(root), vcs_ref or "HEAD", config
    built = built_commit()
    if built is not None:
        # An installed wheel: render from its embedded versions under the canonical name, so
        # the service records a source that later updates can find again. By default the
        # version the wheel was built from, which its copier.yml describes: a release's wheel
        # generates that release.
        return CANONICAL_SOURCE, vcs_ref or built, config
    return str(root), vcs_ref, config


# Options shared by the commands that work on an existing service.
ServicePath = Annotated[Path, typer.Argument(metavar="PATH", help="The service's folder.")]
TemplateSource = Annotated[
    str | None,
    typer.Option(
        "--template",
        metavar="SRC",
        help="Fetch the template from here (a fork, a mirror, or where its folder moved;"
        " folder or git URL).",
    ),
]


@app.command(cls=PlainHelp)
def update(
    path: ServicePath = Path(),
    to: Annotated[
        str | None,
        typer.Option(
            "--to", metavar="REF", help="Template tag, branch or commit (default: the newest)."
        ),
    ] = None,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data", "-d", metavar="KEY=VALUE", help="Change an answer, as key=value; repeatable."
        ),
    ] = None,
    conflict: Annotated[
        str,
        typer.Option(
            "--conflict",
            metavar="inline|rej",
            help="Leave conflicts as `inline` markers or as `rej` files beside.",
        ),
    ] = "inline",
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Never prompt: new questions take their defaults.")
    ] = False,
    pretend: Annotated[
        bool, typer.Option("--pretend", help="Run the update without writing anything.")
    ] = False,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Only tell whether a newer template version exists (exit 1 if so)."
        ),
    ] = False,
    trust: Annotated[
        bool,
        typer.Option(
            "--trust",
            help="Run the template's migration commands (the embedded template is trusted).",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON (for CI); same exit codes.")
    ] = False,
    template: TemplateSource = None,
) -> None:
    """Pull a newer template version into a service: a three-way merge with the team's changes.

    Exit code 0 when it applied cleanly, 1 when conflicts are left to resolve, 2 on an error
    (nothing changed, or the service restored to its last commit). With --check: 0 when the
    service is on the newest template version, 1 when a newer one is released."""
    from visiobook_scaffold.currency import check_currency
    from visiobook_scaffold.generate import is_interactive
    from visiobook_scaffold.service import read_service
    from visiobook_scaffold.update import UpdateRequest
    from visiobook_scaffold.update import update as run_update

    if check:
        with reported_errors():
            git.require()
            currency = check_currency(read_service(path, template))
        _print_currency(path, currency)
        if currency.newest is not None:
            raise typer.Exit(1)
        return
    with reported_errors():
        if conflict not in ("inline", "rej"):
            raise ScaffoldError(f"--conflict takes inline or rej, got {conflict!r}")
        request = UpdateRequest(
            path=path,
            to=to,
            answers=parse_data_pairs(data or []),
            conflict="rej" if conflict == "rej" else "inline",
            pretend=pretend,
            ask=is_interactive() and not defaults,
            template=template,
            trust=trust,
        )
        result = run_update(request)
    if as_json:
        typer.echo(json.dumps(_update_summary(result), indent=2))
    elif pretend:
        typer.echo("Pretend run: nothing was written.")
    else:
        _print_update(path, result, conflict)
    if result.conflicted or result.kept:
        raise typer.Exit(1)


add_app = typer.Typer(
    cls=OneLineUsage,
    help="Add to a service: a resource.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(add_app, name="add")


@add_app.command("resource", cls=PlainHelp)
def add_resource_command(
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME", help="The resource, as its URL names it: plural kebab-case (people)."
        ),
    ],
    path: ServicePath = Path(),
    fields: Annotated[
        list[str] | None,
        typer.Option(
            "--field",
            metavar="NAME:TYPE[:MODIFIER...]",
            help="A field, once per field, e.g. title:string(120):required:unique. Types:"
            " string(N), text(N), integer, decimal(P,S), boolean, date, datetime, enum(A,B),"
            " reference(RESOURCE); modifiers: required, unique, indexed, default=VALUE. Without"
            " --field or --from: the example's fields (name, description).",
        ),
    ] = None,
    source: Annotated[
        Path | None,
        typer.Option(
            "--from",
            metavar="FILE",
            help="Take NAME's fields from FILE (YAML or JSON: resources, each with its fields),"
            " and first add the resources of FILE it refers to that the service lacks.",
        ),
    ] = None,
    api: Annotated[
        Path | None,
        typer.Option(
            "--api",
            metavar="CONTRACT",
            help="Take NAME's fields from a backend's contract (its api/openapi.json, or its"
            " folder), and first add the resources there it refers to that this one lacks:"
            " how a Vue app gets the screens of a backend's resource.",
        ),
    ] = None,
    pretend: Annotated[
        bool, typer.Option("--pretend", help="Show the files it would write; write nothing.")
    ] = False,
) -> None:
    """Add a resource beside the example one, written from its fields and recorded so that
    `update` keeps it current: to a backend its model, migration, routes, service, tests and
    contract entries; to a Vue app its list, item and form screens, typed from the contract.

    Exit code 0 when it was added (or, with --from, when the service has it already), 1 when a
    file listing the resources is left with conflict markers (the team had edited the same
    lines), 2 on an error (nothing written)."""
    from visiobook_scaffold.resource import AddResource, add_resource, requested_resources

    with reported_errors():
        resources = requested_resources(path, name, fields or [], source, api)
        if not resources:
            typer.echo(f"Nothing to add: the service has {name} and what it refers to.")
            return
        result = add_resource(AddResource(path=path, resources=resources, pretend=pretend))
    added = ", ".join(result.resources)
    if pretend:
        typer.echo(f"Pretend run: adding {added} would write")
    else:
        typer.echo(f"Added the resource{'s' if len(result.resources) > 1 else ''} {added}:")
    for label, files in (("new", result.created), ("changed", result.changed)):
        for file in files:
            typer.echo(f"  {label:<8} {file}")
    for file in result.conflicted:
        typer.echo(f"  conflict {file}: resolve the markers, then commit")
    if not pretend and not result.conflicted:
        typer.echo("Review with `git diff` and `git status`, run the tests, then commit.")
    if result.conflicted:
        raise typer.Exit(1)


@app.command("diff", cls=PlainHelp)
def diff_command(
    path: ServicePath = Path(),
    template: TemplateSource = None,
) -> None:
    """Show what the team changed relative to a clean render of its template version.

    The recorded template version is rendered again with the recorded answers; the service's
    files (uncommitted changes included, ignored files not) are compared with it.

    Exit code 1 when there is any difference, 0 when there is none, 2 on an error."""
    from visiobook_scaffold.diff import diff
    from visiobook_scaffold.service import read_service

    with reported_errors():
        git.require()
        service = read_service(path, template)
        patch = diff(service)
    if not patch:
        typer.echo(f"{service.root.name} matches a clean render of template {service.version}.")
        return
    typer.echo(patch, nl=False)
    raise typer.Exit(1)


@app.command("check", cls=PlainHelp)
def check_command(
    path: ServicePath = Path(),
    output_format: Annotated[
        str, typer.Option("--format", "-f", metavar="FORMAT", help="text, json, sarif or junit.")
    ] = "text",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Write the report to this file; print the score."
        ),
    ] = None,
    list_rules: Annotated[
        bool, typer.Option("--list-rules", help="List the rules and exit; check nothing.")
    ] = False,
    check_all: Annotated[
        bool,
        typer.Option(
            "--all", help="Check every service found at or below PATH (a monorepo), each in turn."
        ),
    ] = False,
    stack: Annotated[
        str | None,
        typer.Option(
            "--stack",
            metavar="STACK",
            help="Judge as this stack instead of the detected one: go, fastapi, node, vue,"
            " or two joined by + (node+vue).",
        ),
    ] = None,
    template: TemplateSource = None,
) -> None:
    """Audit a service repository against the guidelines' checklists (spec 9).

    Works on any service of the four stacks, generated by this tool or not. Waivers go in
    .visiobook.yml. A folder holding several services (a monorepo) names them; --all checks
    each, and the report stays one document (JSON: a list; SARIF: a run per service).

    Exit code 0 when no error-level rule fails (warnings lower the score only), 1 when one
    does, 2 when no service is found or the options are wrong."""
    from visiobook_scaffold.check.report import (
        ALL_FORMATS,
        FORMATS,
        rule_catalogue,
        service_label,
        summary,
    )
    from visiobook_scaffold.check.runner import run_all, run_check

    if list_rules:
        typer.echo(rule_catalogue(), nl=False)
        return
    with reported_errors():
        if output_format not in FORMATS:
            raise ScaffoldError(f"--format takes {', '.join(FORMATS)}, got {output_format!r}")
        if check_all:
            reports = run_all(path, template=template, stack=stack)
            rendered = ALL_FORMATS[output_format](reports)
        else:
            reports = [run_check(path, template=template, stack=stack)]
            rendered = FORMATS[output_format](reports[0])
    if output is not None:
        try:
            output.write_text(rendered, encoding="utf-8")
        except OSError as error:
            raise fail(f"cannot write {output}: {error.strerror}") from None
    if output is None:
        typer.echo(rendered, nl=False)
    elif check_all:
        for report in reports:
            typer.echo(f"{service_label(report)}: {summary(report)}")
        typer.echo(f"Report written to {output}.")
    else:
        typer.echo(f"{summary(reports[0])} Report written to {output}.")
    if any(report.has_errors for report in reports):
        raise typer.Exit(1)


def _print_currency(path: Path, currency: Currency) -> None:
    service = path.resolve().name
    if not currency.released:
        typer.echo(f"{service} is on template {currency.current}; no release to compare with.")
    elif currency.newest is None:
        typer.echo(f"{service} is on the newest template version ({currency.current}).")
    else:
        typer.echo(
            f"{service} is on template {currency.current}; {currency.newest} is released:"
            " run `visiobook update`."
        )


def _update_summary(result: Updated) -> dict[str, object]:
    return {
        "from": result.from_version,
        "to": result.to_version,
        "created": result.created,
        "changed": result.changed,
        "deleted": result.deleted,
        "conflicted": result.conflicted,
        "kept": [
            {"path": kept.path, "why": kept.why, "beside": kept.beside} for kept in result.kept
        ],
        "before": result.before,
    }


def _print_update(path: Path, result: Updated, conflict: str) -> None:
    from visiobook_scaffold.safeguard import SIDE_SUFFIX

    service = path.resolve().name
    if not (result.created or result.changed or result.deleted):
        typer.echo(f"Nothing to change: {service} is at template {result.to_version}.")
        return
    counts = (
        f"{len(result.created)} created, {len(result.changed)} changed,"
        f" {len(result.deleted)} deleted"
    )
    typer.echo(
        f"Updated {service} from template {result.from_version} to {result.to_version}: {counts}."
    )
    for title, names in (
        ("Created", result.created),
        ("Changed", result.changed),
        ("Deleted", result.deleted),
    ):
        if names:
            typer.echo(f"{title}:" + "".join(f"\n  {name}" for name in names))
    if result.conflicted:
        how = (
            "merge each .rej file into its file by hand and delete it"
            if conflict == "rej"
            else "resolve the <<<<<<< ======= >>>>>>> regions"
        )
        typer.echo(
            f"Conflicts in {len(result.conflicted)} file(s): {how}, then commit:"
            + "".join(f"\n  {name}" for name in result.conflicted),
            err=True,
        )
    if result.kept:
        typer.echo(
            f"Kept {len(result.kept)} file(s) of yours the update would have lost; where the"
            f" template has its own version, it is beside yours as <name>{SIDE_SUFFIX}:"
            " compare, then commit:"
            + "".join(f"\n  {kept.path} ({kept.why})" for kept in result.kept),
            err=True,
        )
    if not (result.conflicted or result.kept):
        typer.echo("Review the changes (git diff), run the tests, then commit.")
    typer.echo(
        f"The service before this update: {result.before}"
        f" (after committing, `git reset --hard {result.before}` goes back to it)."
    )


def _collect_answers(
    stack: str | None,
    name: str | None,
    pairs: list[str],
    data_file: Path | None,
    config: TemplateConfig | None,
) -> dict[str, Any]:
    answers: dict[str, Any] = load_data_file(data_file) if data_file else {}
    answers.update(parse_data_pairs(pairs))
    if stack is not None:
        answers["stack"] = stack
    if name is not None:
        answers["service_name"] = name
    if config is not None:
        check_answers(answers, config)
    return answers


def _print_summary(result: Generated, config: TemplateConfig | None) -> None:
    stack_key = str(result.answers.get("stack", ""))
    service = result.answers.get("service_name", result.dest.name)
    line = f"Created {service} ({stack_key}) in {result.dest}: {result.files} files"
    line += (
        f", initial commit {result.commit}."
        if result.commit
        else f" (no git repository: {result.git_note})."
    )
    typer.echo(line)
    stack = config.stacks.get(stack_key) if config else None
    if stack is None or not stack.commands:
        return
    commands = stack.commands
    steps = [f"cd {result.dest}"]
    if stack.kind == "service":
        # .env.example names the database compose.yaml starts: it works as it is, locally.
        steps.append("docker compose up -d --wait   # PostgreSQL (without Docker: see README.md)")
    to_set = [name for name, value in stack.env.items() if value]
    steps.append("cp .env.example .env" + (f"   # then set {', '.join(to_set)}" if to_set else ""))
    steps += [
        commands[key] for key in ("workspace", "install", "migrate", "run") if key in commands
    ]
    checks = [commands[key] for key in ("lint", "type_check", "test") if key in commands]
    typer.echo("\nRun it:")
    typer.echo("".join(f"  {step}\n" for step in steps), nl=False)
    typer.echo("Test it:")
    typer.echo(f"  {' && '.join(checks)}")
    if "dev_token" in commands:
        typer.echo("Call its API with a development token:")
        typer.echo(f"  {commands['dev_token']}")
    if deploy := result.answers.get("deploy_command"):
        typer.echo("Deploy it:")
        typer.echo(f"  {deploy}")
    typer.echo("The service's README.md says more.")
    version = str(result.answers.get("language_version", stack.default_language_version))
    _say_what_is_missing(replace(stack, default_language_version=version))


def _say_what_is_missing(stack: Stack) -> None:
    """After `new`: if this machine cannot run what it just made, say so, and where to look;
    `stack` carries the language version the service was generated for."""
    from visiobook_scaffold.doctor import examine, missing_required

    findings = examine([stack], everything=False)
    missing = missing_required(findings)
    if missing:
        lacks = "; ".join(f"{finding.what}, found {finding.found or 'none'}" for finding in missing)
        doctor = f"visiobook doctor --stack {stack.key}"
        typer.echo(f"This machine lacks {lacks}: `{doctor}` says how to get it.")
    for finding in findings:
        # Present, but not as the service needs it (an older Go that will not fetch a newer).
        if finding.required and finding.status == "warn":
            typer.echo(f"On this machine, {finding.what}: found {finding.found}; {finding.fix}.")


def main() -> None:
    app()
