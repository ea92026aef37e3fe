"""visiobook-scaffold: generate and maintain Visiobook microservices."""

from importlib.metadata import version

# pyproject.toml holds the version; the installed distribution's metadata carries it here.
__version__ = version("visiobook-scaffold")
