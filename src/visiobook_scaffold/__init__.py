"""visiobook-scaffold: generate and maintain Visiobook microservices."""

__version__ = "0.1.0"
