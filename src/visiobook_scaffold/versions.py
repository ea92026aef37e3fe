"""The template versions the installed package carries, and how services find them again.

A wheel embeds this repository's history as a git bundle (`hatch_build.py`). Services
generated from it record a fixed name for the template, `CANONICAL_SOURCE`, never the path of
the package that made them (which moves with every virtualenv and upgrade). When a command
needs the template's history, git is told to fetch that name from the embedded bundle, or
from the source given with `--template`: no network, and still working after the tool is
upgraded, since a newer bundle holds every older version too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from visiobook_scaffold import git
from visiobook_scaffold.errors import ScaffoldError
from visiobook_scaffold.template import PACKAGE_DIR, is_local_template

# A name, not an address: `.invalid` never resolves, so nothing is ever fetched from it. To run
# plain `copier update` on such a service, map it yourself:
#   git config --global url.<path or URL of the template>.insteadOf <this name>
CANONICAL_SOURCE = "https://visiobook.invalid/visiobook-scaffold.git"
BUNDLE = PACKAGE_DIR / "_template" / "versions.bundle"


def embedded_bundle() -> Path | None:
    """The bundle of template versions inside the installed wheel, if this is one."""
    return BUNDLE if BUNDLE.is_file() else None


def built_commit() -> str | None:
    """The commit the installed wheel was built from (its bundle's HEAD), if this is one.

    Named by its id: "HEAD" of a clone of the bundle is whatever branch git guesses it is, and
    Copier's cached clone of the canonical name keeps the branch an earlier wheel's bundle had.
    """
    bundle = embedded_bundle()
    return git.bundle_head(bundle) if bundle else None


def template_source(recorded: str, override: str | None = None) -> str:
    """The source to render the service's template from, recorded as `recorded` (`_src_path`),
    with `--template` given as `override`.

    Mostly the recorded source itself: `reachable` has git fetch it from `override` (a fork, a
    mirror) or from the embedded bundle, and the service goes on recording its name. But Copier
    opens a local folder itself, before git could redirect it: a recorded folder that is gone
    (moved) can only be rendered from its new place, `override`, and an update records that
    place from then on (as Copier does once `_src_path` is edited by hand, the known workaround
    for a moved template, copier issue #1729).
    """
    if not is_local_template(recorded) or Path(recorded).expanduser().is_dir():
        return recorded
    if override is None:
        raise ScaffoldError(
            f"the template folder this service records, {recorded}, is gone:"
            " if it moved, give its new place with --template"
        )
    return _absolute(override)


def _absolute(source: str) -> str:
    """A local folder as an absolute path (git and Copier then read it from any folder)."""
    if not is_local_template(source):
        return source
    return str(Path(source).expanduser().resolve())


@contextmanager
def reachable(recorded: str, override: str | None = None) -> Iterator[None]:
    """Within this block, git fetches the template recorded as `recorded` from `override`
    (`--template`), or, for the canonical name, from the embedded bundle; and no fetch hangs
    (git.network_settings)."""
    config, env = git.network_settings()
    target: str | None = override
    if target is None and recorded == CANONICAL_SOURCE:
        bundle = embedded_bundle()
        if bundle is None:
            # A source checkout's CLI has no bundle, and the name never resolves.
            raise ScaffoldError(
                "this service was made by an installed visiobook (its template is"
                f" {CANONICAL_SOURCE}, found in the wheel): run that visiobook, or give"
                " --template with a checkout of visiobook-scaffold"
            )
        target = str(bundle)
    if target is not None and target != recorded:
        target = _absolute(target)
        # git's url.<target>.insteadOf: a fetch of `recorded` goes to `target`.
        config[f"url.{target}.insteadOf"] = recorded
    with git.configured(config, env):
        yield
