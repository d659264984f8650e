"""Serving: a Flask app behind gunicorn that speaks SageMaker's /ping and /invocations (and, on a
multi-model endpoint, its /models API)."""
