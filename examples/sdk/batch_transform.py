#!/usr/bin/env python
"""Batch Transform over JSON Lines with the SageMaker Python SDK v3: one `{"text": ...}` per line
in, one result line out.

  AWS:    python examples/sdk/batch_transform.py --image-uri <ECR URI> --role <ARN> \\
            --model-data s3://bucket/models/<job>/output/model.tar.gz \\
            --input s3://bucket/batch/input/ --output-path s3://bucket/batch/output/
  local:  python examples/sdk/batch_transform.py --local --image-uri sagemaker-nlp:test \\
            --model-data /tmp/sm-output/model.tar.gz --input requests.jsonl --output-path /tmp/bt

`ModelBuilder.build()` creates the model (in local mode: registers it with SDK v3's local session),
and `sagemaker.core.transformer.Transformer` runs the job: strategy=MultiRecord, split_type=Line,
assemble_with=Line, accept=application/jsonlines, so the output object `<input name>.out` has
exactly one line per input line, in order. (`ModelBuilder.transformer()` does the same on AWS, but
in local mode it hands the job to an AWS session, which rejects file:// input.)
"""
from __future__ import annotations

import argparse
import sys

from common import (
    add_common_arguments,
    instance_type,
    local_path,
    local_session,
    to_uri,
    unpack_model,
    workdir,
)
from deploy import model_builder


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_arguments(parser)
    parser.add_argument("--model-data", required=True, help="model.tar.gz (s3:// or a path with --local)")
    parser.add_argument("--input", required=True,
                        help="JSON Lines file or prefix (s3://, or a path with --local)")
    parser.add_argument("--output-path", required=True, help="output prefix (s3://, or a path with --local)")
    parser.add_argument("--max-payload", type=int, default=6, help="MaxPayloadInMB per request")
    parser.add_argument("--serving-port", type=int, default=None,
                        help="local mode: host port of the transform container (default 8080)")
    parser.add_argument("--job-name", default="sagemaker-nlp-batch", help="base transform job name")
    args = parser.parse_args(argv)
    args.model_data = to_uri(args.model_data, args.local)
    args.async_output_path = args.serverless_memory = None  # what deploy.model_builder reads
    return args


def build_model(args):
    """The SageMaker model: ModelBuilder's pass-through build (local mode: of an unpacked folder,
    which the transform container mounts at /opt/ml/model)."""
    if args.local:
        folder = unpack_model(args.model_data, workdir(args, "batch-model") / "model")
        builder = model_builder(args, model_path=str(folder))
    else:
        builder = model_builder(args)
    return builder.build()


def batch_transform(args) -> dict[str, list[str]]:
    """Run the job; in local mode return the output lines of each input file, keyed by file name."""
    from sagemaker.core.transformer import Transformer

    model = build_model(args)
    session = local_session(workdir(args, "batch-root"), args.serving_port) if args.local else None
    output_uri = to_uri(args.output_path, args.local)
    transformer = Transformer(
        model.model_name, instance_count=1, instance_type=instance_type(args),
        strategy="MultiRecord", assemble_with="Line", accept="application/jsonlines",
        output_path=output_uri, max_payload=args.max_payload,
        # A base name keeps Transformer from looking the model up over AWS to name the job.
        base_transform_job_name=args.job_name, sagemaker_session=session,
    )
    try:
        transformer.transform(to_uri(args.input, args.local), content_type="application/jsonlines",
                              split_type="Line", wait=True, logs=not args.local)
    finally:
        if not args.local:
            model.delete()
    print(f"output: {output_uri}")
    if not args.local:
        return {}
    outputs = {}
    for path in sorted(local_path(output_uri).glob("*.out")):
        outputs[path.name] = path.read_text(encoding="utf-8").splitlines()
        print(f"{path.name}: {len(outputs[path.name])} lines")
    return outputs


def main(argv=None) -> int:
    batch_transform(parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
