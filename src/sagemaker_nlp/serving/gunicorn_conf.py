"""gunicorn settings from SageMaker's environment variables.

Threaded workers keep ``/ping`` answering while a long request holds the model; each worker
loads its own model copy, and on GPU hosts worker i is pinned to GPU i. The graceful timeout
stays under the 30 s SageMaker allows between SIGTERM and SIGKILL.
"""
import os

from sagemaker_nlp.serving import workers_ready
from sagemaker_nlp.serving.settings import ServerSettings

_settings = ServerSettings.from_env()
workers_ready.create()  # before the workers fork: they inherit where to mark themselves ready

bind = f"0.0.0.0:{_settings.port}"
workers = _settings.workers
worker_class = "gthread"
threads = _settings.threads
timeout = _settings.timeout
graceful_timeout = 20
keepalive = 75  # longer than SageMaker's front end keeps idle connections, so it closes first
loglevel = str(_settings.log_level).lower() if not str(_settings.log_level).isdigit() else "info"
accesslog = None  # the app logs invocations itself; /ping every few seconds is noise
errorlog = "-"
capture_output = True
limit_request_line = 8190
control_socket_disable = True  # no management socket (gunicorn >= 24) in $HOME


def when_ready(server):
    """One line with the limits in force, read back from gunicorn's own configuration: what an
    Async or Serverless recipe set (timeout, workers, body size) can be checked in the log."""
    payload, chars = _settings.max_content_length, _settings.max_document_chars
    server.log.info(
        "serve: %d worker(s) x %d thread(s), timeout %ds, max request body %s, max text %s",
        server.cfg.workers, server.cfg.threads, server.cfg.timeout,
        f"{payload // (1024 * 1024)} MiB" if payload else "unlimited",
        f"{chars} characters" if chars else "unlimited",
    )


def pre_fork(server, worker):
    """Give each new worker the lowest free index (stable across restarts) for GPU pinning."""
    taken = {getattr(w, "sagemaker_index", None) for w in server.WORKERS.values()}
    worker.sagemaker_index = next(i for i in range(len(taken) + 1) if i not in taken)


def on_exit(server):
    workers_ready.remove()


def post_fork(server, worker):
    os.environ[workers_ready.INDEX] = str(worker.sagemaker_index)
    workers_ready.forget()
