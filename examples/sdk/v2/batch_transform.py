#!/usr/bin/env python
"""Batch Transform over a JSON Lines file: one `{"text": ...}` per line in, one result line out.

  AWS:    python examples/sdk/v2/batch_transform.py --image-uri <ECR URI> --role <ARN> \\
            --model-data s3://bucket/models/<job>/output/model.tar.gz \\
            --input s3://bucket/batch/input/ --output-path s3://bucket/batch/output/
  local:  python examples/sdk/v2/batch_transform.py --local --image-uri sagemaker-nlp:test \\
            --model-data /tmp/sm-output/<job>/model.tar.gz --input requests.jsonl --output-path /tmp/bt

Uses strategy=MultiRecord, split_type=Line, assemble_with=Line, accept=application/jsonlines: the
output object `<input name>.out` has exactly one line per input line, in order.
"""
from __future__ import annotations

import argparse
import sys

from common import add_common_arguments, instance_type, local_path, make_session, to_uri
from deploy import create_model


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_arguments(parser)
    parser.add_argument("--model-data", required=True, help="model.tar.gz (s3:// or a path with --local)")
    parser.add_argument("--input", required=True,
                        help="JSON Lines file or prefix (s3://, or a path with --local)")
    parser.add_argument("--output-path", required=True, help="output prefix (s3://, or a path with --local)")
    parser.add_argument("--max-payload", type=int, default=6, help="MaxPayloadInMB per request")
    parser.add_argument("--workers", type=int, help="SAGEMAKER_MODEL_SERVER_WORKERS for the container")
    return parser.parse_args(argv)


def batch_transform(args):
    """Run the job; in local mode return the output lines of each input file, keyed by file name."""
    session = make_session(args.local, args.serving_port, args.container_root)
    model = create_model(args, session)
    output_uri = to_uri(args.output_path, args.local)
    transformer = model.transformer(
        instance_count=1,
        instance_type=instance_type(args),
        strategy="MultiRecord",
        assemble_with="Line",
        accept="application/jsonlines",
        output_path=output_uri,
        max_payload=args.max_payload,
    )
    try:
        transformer.transform(to_uri(args.input, args.local), content_type="application/jsonlines",
                              split_type="Line", wait=True, logs=not args.local)
    finally:
        model.delete_model()
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
