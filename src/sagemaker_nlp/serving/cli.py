"""The ``serve`` entry point: replace this process with gunicorn running our WSGI app."""
from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    config = os.environ.get("SAGEMAKER_NLP_GUNICORN_CONF", "python:sagemaker_nlp.serving.gunicorn_conf")
    command = [sys.executable, "-m", "gunicorn", "-c", config, *args, "sagemaker_nlp.serving.wsgi:app"]
    sys.stdout.flush()
    # exec: gunicorn becomes this process and receives SageMaker's SIGTERM directly.
    os.execv(sys.executable, command)


if __name__ == "__main__":
    main()
