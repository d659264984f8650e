"""The ``serve`` entry point: replace this process with gunicorn running our WSGI app."""
from __future__ import annotations

import os
import sys

# Runtime settings the workers inherit (set before any of them starts, imports torch or
# CTranslate2; a value already in the environment wins).
# - OMP_WAIT_POLICY=PASSIVE: an OpenMP thread waiting for work sleeps instead of spinning. The
#   request threads need the cores between two engine calls, and a spinning OpenMP worker takes
#   one of them; on a 2-core machine shared with other processes, BERT-base dynamic int8 ran
#   3-22 records/s spinning and 36-66 sleeping (batch 4-32, alternated runs), while CTranslate2
#   int8 was the same either way (within the noise).
# - MALLOC_ARENA_MAX=1: every thread allocates from glibc's main arena. The model runs in the
#   batcher's thread, which otherwise gets an arena of its own whose heaps glibc trims and maps
#   again between forward passes: BERT-base int8 at batch 32 ran 12% slower there than in the
#   main thread (the mean of 6 alternated slices; 0% with one arena). One arena also keeps a
#   multi-threaded worker's memory from fragmenting across arenas.
RUNTIME_DEFAULTS = {"OMP_WAIT_POLICY": "PASSIVE", "MALLOC_ARENA_MAX": "1"}


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    config = os.environ.get("SAGEMAKER_NLP_GUNICORN_CONF", "python:sagemaker_nlp.serving.gunicorn_conf")
    command = [sys.executable, "-m", "gunicorn", "-c", config, *args, "sagemaker_nlp.serving.wsgi:app"]
    for name, value in RUNTIME_DEFAULTS.items():
        os.environ.setdefault(name, value)
    sys.stdout.flush()
    # exec: gunicorn becomes this process and receives SageMaker's SIGTERM directly.
    os.execv(sys.executable, command)


if __name__ == "__main__":
    main()
