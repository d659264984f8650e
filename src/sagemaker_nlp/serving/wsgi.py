"""WSGI entry point for gunicorn: each worker builds the app and loads its own model copy."""
from .app import create_app
from ..logging_setup import configure_logging

configure_logging()
app = create_app()
