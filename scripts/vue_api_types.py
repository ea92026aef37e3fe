"""Refresh templates/vue/src/types/api.ts.jinja after the API contract changes.

    make vue-api-types        # installs the pinned openapi-typescript first (make tools)

The Vue app's TypeScript types are generated from the contract (templates/shared/api, the app's
api/openapi.json) by openapi-typescript, at the version templates/vue/package.json.jinja pins.
The output names the resource (paths, schemas, operations), so it is stored as a template: this
script renders the app with a resource name found nowhere else, runs openapi-typescript on the
rendered document, and turns each spelling of that name back into its Jinja expression. It then
renders the app again and checks that the template gives back the generator's exact output.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
from pathlib import Path

from throwaway import REPO_ROOT, generate

TEMPLATE = REPO_ROOT / "templates" / "vue" / "src" / "types" / "api.ts.jinja"
SERVICE = "api-types-placeholder"
RESOURCE = "quokka-burrows"
# Each spelling of the resource's name the contract may use, as copier.yml derives it, and the
# expression that writes it (the same as in templates/shared/api/openapi.json.jinja).
SPELLINGS = {
    "QuokkaBurrows": "{{ resource_camel[:1] | upper }}{{ resource_camel[1:] }}",
    "QuokkaBurrow": "{{ model_name }}",
    "quokka-burrows": "{{ resource }}",
    "quokka-burrow": "{{ item }}",
    "quokka_burrows": "{{ resource_snake }}",
    "quokka_burrow": "{{ item_snake }}",
    "quokkaBurrows": "{{ resource_camel }}",
    "quokkaBurrow": "{{ item_camel }}",
}
# Longest first, so a plural is never taken for its singular and a trailing "s".
NAMES = re.compile("|".join(sorted(SPELLINGS, key=len, reverse=True)))


def types_of(openapi_typescript: Path, app: Path) -> str:
    """What openapi-typescript writes for the app's api/openapi.json."""
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "api.ts"
        subprocess.run(
            [str(openapi_typescript), "api/openapi.json", "--output", str(output)],
            check=True,
            cwd=app,
            capture_output=True,
        )
        return output.read_text()


def as_template(types: str) -> str:
    if any(marker in types for marker in ("{{", "{%", "{#")):
        raise SystemExit("the generated types contain Jinja markers; they cannot be a template")
    template = NAMES.sub(lambda name: SPELLINGS[name[0]], types)
    if re.search("quokka|burrow", template, re.IGNORECASE):
        raise SystemExit(f"a spelling of {RESOURCE!r} is left in the types: add it to SPELLINGS")
    if SERVICE in template:
        raise SystemExit(f"the service name {SERVICE!r} is in the types: template it too")
    return template


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("openapi_typescript", type=Path, help="the openapi-typescript executable")
    tool = parser.parse_args().openapi_typescript
    answers = {"resource": RESOURCE}
    with tempfile.TemporaryDirectory() as tmp:
        app = Path(tmp) / SERVICE
        generate("vue", app, answers)
        types = types_of(tool, app)
        TEMPLATE.write_text(as_template(types))
        again = Path(tmp) / "again" / SERVICE
        generate("vue", again, answers)
        if (again / "src/types/api.ts").read_text() != types:
            raise SystemExit(f"{TEMPLATE.name} does not render back to openapi-typescript's output")
    print(f"wrote {TEMPLATE.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
