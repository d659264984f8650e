#!/usr/bin/env python
"""Train with the SageMaker Python SDK (v2) and the sagemaker-nlp image.

  AWS:    python examples/sdk/v2/train.py \\
            --image-uri 123456789012.dkr.ecr.us-east-1.amazonaws.com/sagemaker-nlp:cpu \\
            --role arn:aws:iam::123456789012:role/SageMakerRole --train s3://bucket/data/train/ \\
            --validation s3://bucket/data/validation/ --output-path s3://bucket/models/ \\
            --hyperparameters '{"task_name": "classification", "num_train_epochs": 3}'
  local:  python examples/sdk/v2/train.py --local --image-uri sagemaker-nlp:test \\
            --train examples/classification/train --output-path /tmp/sm-output \\
            --hyperparameters '{"task_name": "classification", "max_steps": 10}'
  two hosts (data-parallel, torchrun across the instances): add --instance-count 2

Channels: train, validation (or dev), test: each a folder (or S3 prefix) holding one TSV with a
`text<TAB>labels` header; `--model-channel` passes a save_pretrained checkpoint (the `model`
channel) for network-isolated jobs. Prints the S3/file URI of model.tar.gz.
"""
from __future__ import annotations

import argparse
import json
import sys

from common import add_common_arguments, instance_type, make_session, role, to_uri

# Regexes for the `METRIC name=value;` lines that `train` prints (CloudWatch metrics on AWS).
METRIC_DEFINITIONS = [
    {"Name": name, "Regex": rf"METRIC {name}=([-+0-9.eE]+);"}
    for name in ("loss", "eval_loss", "eval_accuracy", "eval_f1", "test_accuracy", "test_f1")
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_arguments(parser)
    parser.add_argument("--train", required=True, help="train channel (s3:// URI, or a path with --local)")
    parser.add_argument("--validation", help="validation channel")
    parser.add_argument("--test", help="test channel")
    parser.add_argument("--model-channel", help="a save_pretrained checkpoint to fine-tune")
    parser.add_argument("--output-path", help="where model.tar.gz goes (s3:// or, local, a path)")
    parser.add_argument("--hyperparameters", default='{"task_name": "classification"}',
                        help="JSON object; any TrainingArguments field is accepted")
    parser.add_argument("--instance-count", type=int, default=1,
                        help="hosts; more than one trains data-parallel (torchrun over the hosts)")
    parser.add_argument("--job-name", help="base job name (default: sagemaker-nlp)")
    parser.add_argument("--max-run", type=int, default=24 * 3600, help="MaxRuntimeInSeconds")
    parser.add_argument("--checkpoint-s3-uri", help="S3 prefix synced with /opt/ml/checkpoints (spot resume)")
    parser.add_argument("--spot", action="store_true",
                        help="managed spot training (needs --checkpoint-s3-uri)")
    return parser.parse_args(argv)


def train(args):
    """Run one training job and return the Estimator (``estimator.model_data`` is the artifact)."""
    from sagemaker.estimator import Estimator

    session = make_session(args.local, args.serving_port, args.container_root)
    channels = {"train": args.train, "validation": args.validation, "test": args.test,
                "model": args.model_channel}
    inputs = {name: to_uri(value, args.local) for name, value in channels.items() if value}
    extra = {}
    if args.checkpoint_s3_uri:
        extra["checkpoint_s3_uri"] = args.checkpoint_s3_uri
    if args.spot:
        extra.update(use_spot_instances=True, max_wait=args.max_run + 3600)
    estimator = Estimator(
        image_uri=args.image_uri,
        role=role(args),
        instance_count=args.instance_count,
        instance_type=instance_type(args),
        hyperparameters=json.loads(args.hyperparameters),
        output_path=to_uri(args.output_path, args.local),
        base_job_name=args.job_name or "sagemaker-nlp",
        max_run=args.max_run,
        metric_definitions=METRIC_DEFINITIONS,
        sagemaker_session=session,
        **extra,
    )
    estimator.fit(inputs, wait=True, logs=True)
    print(f"model artifact: {estimator.model_data}")
    return estimator


def main(argv=None) -> int:
    train(parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
