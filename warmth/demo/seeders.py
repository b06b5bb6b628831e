"""Every seeder of ``seed-demo``: importing the loader modules registers them, in their order, in ``SEEDERS``."""

from warmth.demo import archives, campaigns, centers, funds, orgs, payments, reports  # noqa: F401
from warmth.demo.pipeline import SEEDERS

__all__ = ["SEEDERS"]
