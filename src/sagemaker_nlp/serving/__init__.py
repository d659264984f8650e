"""Serving: a Flask app behind gunicorn that speaks SageMaker's /ping and /invocations."""
