"""Rows queued before the task moved next to ``job_create`` (``jobs.services``) name this module's path; the
worker still finds the task here."""

from warmth.jobs.services import run_job

__all__ = ["run_job"]
