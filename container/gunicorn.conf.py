"""gunicorn settings for `serve`: the package's settings module reads every SAGEMAKER_* variable
(SAGEMAKER_BIND_TO_PORT, SAGEMAKER_MODEL_SERVER_WORKERS, SAGEMAKER_MODEL_SERVER_TIMEOUT, ...)."""
from sagemaker_nlp.serving.gunicorn_conf import *  # noqa: F403
