"""Deltaregio: run and monitor the Flemish–Dutch collaboration on science, technology and innovation."""

__version__ = "0.1.0"

# The Celery app is loaded with Django so that @shared_task binds to it.
from deltaregio.celery import app as celery_app

__all__ = ["__version__", "celery_app"]
