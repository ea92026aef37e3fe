"""`visiobook diff`: what a team changed relative to a clean render of its template version.

The service's recorded template (`_src_path`) is rendered again at its recorded version
(`_commit`) with its recorded answers into a scratch folder, with each resource added to it (its
own layer and answers file); the service's files, as git sees
them (its .gitignore applies, uncommitted changes count), are then compared with that render.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from visiobook_scaffold import engine, git
from visiobook_scaffold.service import Service, resource_layers


def diff(service: Service) -> bytes:
    """The unified diff from a clean render to the service, as git writes it (a file that is
    not UTF-8 keeps its bytes); empty when they are the same."""
    scratch = Path(tempfile.mkdtemp(prefix="visiobook-diff-"))
    try:
        clean = scratch / "clean"
        for layer in [service, *resource_layers(service)]:
            engine.render(layer, layer.version, layer.answers, clean)
        return git.diff_trees(clean, service.root, scratch / "git", ("template", "service"))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
