"""Shared helpers of the SageMaker SDK v2 examples: sessions for AWS or local mode, and URIs.

SDK v2 only (`pip install "sagemaker>=2.200,<3"`, the `sdk-v2` extra); examples/sdk/ holds the
v3 versions of these scripts.

Local mode (`--local`) runs the image with docker compose on this machine: channels and outputs are
`file://` URIs, and no AWS call is made (dummy credentials and a region are still required by boto3,
e.g. AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x).
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

DUMMY_ROLE = "arn:aws:iam::111111111111:role/dummy"


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--image-uri", default=os.environ.get("SAGEMAKER_NLP_IMAGE", "sagemaker-nlp:latest"),
                        help="ECR image URI (local mode: a local tag such as sagemaker-nlp:test)")
    parser.add_argument("--role", default=os.environ.get("SAGEMAKER_ROLE"),
                        help="IAM role ARN for SageMaker (local mode: any ARN-shaped string)")
    parser.add_argument("--local", action="store_true",
                        help="SageMaker local mode: docker compose on this machine, file:// data")
    parser.add_argument("--instance-type", default=None,
                        help="e.g. ml.m5.xlarge, ml.g5.xlarge (default: 'local' with --local)")
    parser.add_argument("--serving-port", type=int, default=None,
                        help="local mode: host port for the serving container (default 8080)")
    parser.add_argument("--container-root", default=None,
                        help="local mode: folder for the job's temporary files (default: $TMPDIR)")


def make_session(local: bool, serving_port: int | None = None, container_root: str | None = None):
    """A LocalSession for local mode, else a regular Session from the default AWS configuration."""
    import sagemaker

    if not local:
        return sagemaker.Session()
    from sagemaker.local import LocalSession

    session = LocalSession()
    config = {"local_code": True}
    if serving_port:
        config["serving_port"] = int(serving_port)
    if container_root:
        config["container_root"] = str(container_root)
    session.config = {"local": config}
    return session


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


def local_path(uri: str) -> Path:
    if not uri.startswith("file://"):
        raise ValueError(f"not a file:// URI: {uri}")
    return Path(uri[len("file://"):])
