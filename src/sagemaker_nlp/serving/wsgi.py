"""WSGI entry point for gunicorn: each worker builds the app and loads its own model copy."""
from ..logging_setup import configure_logging
from .app import create_app

configure_logging()
app = create_app()
