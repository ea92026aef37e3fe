from __future__ import annotations

import pytest

from tests.helpers import REPO_ROOT


def pytest_configure(config: pytest.Config) -> None:
    # pytest-copie renders the template given by --template, relative to the cwd by default:
    # pin it to this repo so the suite can run from anywhere.
    config.option.template = str(REPO_ROOT)
