#!/usr/bin/env python
"""Train with the SageMaker Python SDK v3 (`ModelTrainer`) and the sagemaker-nlp image.

  AWS:    python examples/sdk/train.py \\
            --image-uri 123456789012.dkr.ecr.us-east-1.amazonaws.com/sagemaker-nlp:cpu \\
            --role arn:aws:iam::123456789012:role/SageMakerRole --train s3://bucket/data/train/ \\
            --validation s3://bucket/data/validation/ --output-path s3://bucket/models/ \\
            --hyperparameters '{"task_name": "classification", "num_train_epochs": 3}'
  local:  python examples/sdk/train.py --local --image-uri sagemaker-nlp:test \\
            --train examples/classification/data/train --output-path /tmp/sm-output \\
            --hyperparameters '{"task_name": "classification", "max_steps": 10}'
  two hosts (data-parallel, torchrun across the instances): add --instance-count 2

The image is given as `training_image` with no `source_code`: ModelTrainer then starts the
container with no command (and TRAINING_JOB_NAME set), which the image's entrypoint runs as
`train`. Channels: train, validation (or dev), test: each a folder (or S3 prefix) holding one TSV
with a `text<TAB>labels` header; `--model-channel` passes a save_pretrained checkpoint (the
`model` channel) for network-isolated jobs. Prints the URI of model.tar.gz (local mode: a
file:// URI; output.tar.gz lies beside it).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys

from common import add_common_arguments, instance_type, local_path, role, to_uri, workdir

# Regexes for the `METRIC name=value;` lines that `train` prints (CloudWatch metrics on AWS).
METRICS = ("loss", "eval_loss", "eval_accuracy", "eval_f1", "test_accuracy", "test_f1")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_arguments(parser)
    parser.add_argument("--train", required=True, help="train channel (s3:// URI, or a path with --local)")
    parser.add_argument("--validation", help="validation channel")
    parser.add_argument("--test", help="test channel")
    parser.add_argument("--model-channel", help="a save_pretrained checkpoint to fine-tune")
    parser.add_argument("--output-path", help="where model.tar.gz goes (s3:// or, local, a folder)")
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


def make_trainer(args):
    """A ModelTrainer for the image, with the channels of ``args``; local mode runs it under
    ``--workdir/<job>`` with docker compose."""
    from sagemaker.core.training.configs import (
        CheckpointConfig,
        Compute,
        InputData,
        MetricDefinition,
        OutputDataConfig,
        StoppingCondition,
    )
    from sagemaker.train import ModelTrainer
    from sagemaker.train.model_trainer import Mode

    channels = {"train": args.train, "validation": args.validation, "test": args.test,
                "model": args.model_channel}
    # Local mode takes plain paths for local channels (it mounts them), S3 mode s3:// URIs.
    inputs = [InputData(channel_name=name,
                        data_source=str(local_path(value)) if args.local else to_uri(value, False))
              for name, value in channels.items() if value]
    settings = {}
    if args.local:
        settings["training_mode"] = Mode.LOCAL_CONTAINER
        settings["local_container_root"] = str(workdir(args, args.job_name or "sagemaker-nlp"))
    elif args.output_path:
        settings["output_data_config"] = OutputDataConfig(s3_output_path=args.output_path)
    if args.checkpoint_s3_uri:
        settings["checkpoint_config"] = CheckpointConfig(s3_uri=args.checkpoint_s3_uri)
    stopping = StoppingCondition(max_runtime_in_seconds=args.max_run)
    if args.spot:
        stopping = StoppingCondition(max_runtime_in_seconds=args.max_run,
                                     max_wait_time_in_seconds=args.max_run + 3600)
    trainer = ModelTrainer(
        training_image=args.image_uri,
        role=role(args),
        compute=Compute(instance_type=instance_type(args), instance_count=args.instance_count,
                        enable_managed_spot_training=True if args.spot else None),
        hyperparameters=json.loads(args.hyperparameters),
        input_data_config=inputs,
        base_job_name=args.job_name or "sagemaker-nlp",
        stopping_condition=stopping,
        **settings,
    )
    if not args.local:  # local mode has no CloudWatch to read them
        trainer = trainer.with_metric_definitions(
            [MetricDefinition(name=name, regex=rf"METRIC {name}=([-+0-9.eE]+);") for name in METRICS])
    return trainer


def train(args) -> str:
    """Run one training job; return the URI of its model.tar.gz."""
    trainer = make_trainer(args)
    if not args.local:
        trainer.train(wait=True, logs=True)
        model_data = trainer._latest_training_job.model_artifacts.s3_model_artifacts
        print(f"model artifact: {model_data}")
        return model_data
    # Local mode leaves both tarballs in <local_container_root>/compressed_artifacts, a failed
    # job's output.tar.gz (with its failure file) too.
    artifacts = local_path(trainer.local_container_root) / "compressed_artifacts"
    try:
        trainer.train(wait=True, logs=True)
    finally:
        if args.output_path:
            target = local_path(args.output_path).resolve()
            target.mkdir(parents=True, exist_ok=True)
            for name in ("model.tar.gz", "output.tar.gz"):
                if (artifacts / name).exists():
                    shutil.copy2(artifacts / name, target / name)
            artifacts = target
    model_data = f"file://{artifacts / 'model.tar.gz'}"
    print(f"model artifact: {model_data}")
    return model_data


def main(argv=None) -> int:
    train(parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
