"""Demo data, kept apart from the product: the ``seed-demo`` pipeline, one loader per app (through the
services, or bulk for the national scale) and the ``demo`` and ``seed-demo`` commands. It may import any app;
no product module imports it (an import-linter contract in pyproject.toml holds this)."""
