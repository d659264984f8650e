"""Shared helpers of the SageMaker Python SDK v3 examples (`pip install "sagemaker>=3,<4"`, the
`sdk` extra): arguments, URIs, local-mode sessions and model staging. The SDK v2 versions of the
scripts are in examples/sdk/v2/.

Local mode (`--local`) runs the image with docker on this machine: channels and outputs are local
paths (`file://` URIs), and no AWS call is made. boto3 still wants a region and credentials, so set
dummy ones if you have no AWS configuration (AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=x
AWS_SECRET_ACCESS_KEY=x); `local_mode_environment()` also sets SAGEMAKER_VALIDATE_ROLE=false so
that ModelBuilder does not ask IAM about the (dummy) role.
"""
from __future__ import annotations

import argparse
import os
import shutil
import tarfile
from pathlib import Path

DUMMY_ROLE = "arn:aws:iam::111111111111:role/dummy"


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--image-uri", default=os.environ.get("SAGEMAKER_NLP_IMAGE", "sagemaker-nlp:latest"),
                        help="ECR image URI (local mode: a local tag such as sagemaker-nlp:test)")
    parser.add_argument("--role", default=os.environ.get("SAGEMAKER_ROLE"),
                        help="IAM role ARN for SageMaker (local mode: any ARN-shaped string)")
    parser.add_argument("--local", action="store_true",
                        help="SageMaker local mode: docker on this machine, local paths")
    parser.add_argument("--instance-type", default=None,
                        help="e.g. ml.m5.xlarge, ml.g5.xlarge (default: 'local' with --local)")
    parser.add_argument("--workdir", default=None,
                        help="local mode: folder for the job's files (default: a new temporary folder)")
    parser.add_argument("--workers", type=int, help="SAGEMAKER_MODEL_SERVER_WORKERS for the container")


def local_mode_environment() -> None:
    """What SDK v3 local mode needs in the environment: no IAM validation of the dummy role."""
    os.environ.setdefault("SAGEMAKER_VALIDATE_ROLE", "false")


def instance_type(args) -> str:
    if args.instance_type:
        return args.instance_type
    return "local" if args.local else "ml.m5.xlarge"


def role(args) -> str:
    if args.role:
        return args.role
    if args.local:
        return DUMMY_ROLE
    raise SystemExit("--role (or SAGEMAKER_ROLE) is required outside local mode")


def workdir(args, name: str) -> Path:
    """A folder of this run's local files: ``--workdir/name``, or a fresh temporary folder."""
    if args.workdir:
        folder = Path(args.workdir).resolve() / name
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    import tempfile

    return Path(tempfile.mkdtemp(prefix=f"sagemaker-nlp-{name}-"))


def to_uri(location: str | os.PathLike | None, local: bool) -> str | None:
    """s3:// and file:// URIs pass through; in local mode a plain path becomes file://<absolute>."""
    if location is None:
        return None
    text = str(location)
    if "://" in text:
        return text
    if not local:
        raise SystemExit(f"{text}: outside local mode use an s3:// URI")
    return "file://" + str(Path(text).resolve())


def local_path(uri: str | os.PathLike) -> Path:
    """The path of a file:// URI (a plain path passes through)."""
    text = str(uri)
    if text.startswith("file://"):
        return Path(text[len("file://"):])
    if "://" in text:
        raise ValueError(f"not a local path or file:// URI: {text}")
    return Path(text)


def unpack_model(model_data: str, target: Path) -> Path:
    """model.tar.gz (a local path or file:// URI) extracted into ``target``: local-mode
    ModelBuilder serves a model folder, not a tarball."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    with tarfile.open(local_path(model_data)) as archive:
        archive.extractall(target, filter="data")
    return target


def local_session(root: Path, serving_port: int | None = None):
    """SDK v3's local-mode session (the same LocalSession that ModelBuilder registers local models
    with): containers run with docker compose, their temporary files under ``root``."""
    from sagemaker.core.local.local_session import LocalSession

    session = LocalSession()
    config = {"local_code": True, "container_root": str(root)}
    if serving_port:
        config["serving_port"] = int(serving_port)
    session.config = {"local": config}
    return session


def use_local_images_without_pull() -> None:
    """SDK v3 (3.27) local container mode runs `docker pull IMAGE` before every deploy, even for an
    image that exists only on this machine (a tag you built and never pushed), and fails. Skip the
    pull when docker already has the image; pull as the SDK does otherwise."""
    from sagemaker.serve.mode import local_container_mode

    mode = local_container_mode.LocalContainerMode
    if getattr(mode, "_sagemaker_nlp_pull_shim", False):
        return
    pull = mode._pull_image

    def pull_unless_present(self, image: str):
        import docker

        self.client = local_container_mode._get_docker_client()
        try:
            self.client.images.get(image)
        except docker.errors.ImageNotFound:
            pull(self, image)

    mode._pull_image = pull_unless_present
    mode._sagemaker_nlp_pull_shim = True
