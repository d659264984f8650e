#!/usr/bin/env python
"""Deploy a trained model to a real-time endpoint and invoke it with JSON and JSON Lines.

  AWS:    python examples/sdk/v2/deploy.py --image-uri <ECR URI> --role <ARN> \\
            --model-data s3://bucket/models/<job>/output/model.tar.gz --instance-type ml.m5.xlarge
  local:  python examples/sdk/v2/deploy.py --local --image-uri sagemaker-nlp:test \\
            --model-data /tmp/sm-output/<job>/model.tar.gz

The endpoint is deleted at the end unless --keep is given.
"""
from __future__ import annotations

import argparse
import json
import sys

from common import add_common_arguments, instance_type, make_session, role, to_uri

DEFAULT_TEXTS = ["I loved this film, it was wonderful", "A boring and dreadful plot"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_arguments(parser)
    parser.add_argument("--model-data", required=True,
                        help="model.tar.gz (s3:// URI, or a path with --local)")
    parser.add_argument("--text", action="append", help="text to classify (repeatable)")
    parser.add_argument("--workers", type=int, help="SAGEMAKER_MODEL_SERVER_WORKERS for the container")
    parser.add_argument("--keep", action="store_true", help="leave the endpoint running")
    return parser.parse_args(argv)


def create_model(args, session):
    from sagemaker.model import Model
    from sagemaker.predictor import Predictor

    env = {}
    if args.workers:
        env["SAGEMAKER_MODEL_SERVER_WORKERS"] = str(args.workers)
    return Model(image_uri=args.image_uri, model_data=to_uri(args.model_data, args.local),
                 role=role(args), env=env, predictor_cls=Predictor, sagemaker_session=session)


def invoke(predictor, texts):
    """Both envelopes with JSON, then JSON Lines (one result line per input line)."""
    from sagemaker.deserializers import JSONDeserializer, JSONLinesDeserializer
    from sagemaker.serializers import JSONLinesSerializer, JSONSerializer

    predictor.serializer, predictor.deserializer = JSONSerializer(), JSONDeserializer()
    results = {
        "json_native": predictor.predict({"data": [{"text": text} for text in texts]}),
        "json_hf": predictor.predict({"inputs": texts}),
    }
    predictor.serializer, predictor.deserializer = JSONLinesSerializer(), JSONLinesDeserializer()
    results["jsonlines"] = predictor.predict([{"text": text} for text in texts])
    return results


def deploy_and_invoke(args):
    session = make_session(args.local, args.serving_port, args.container_root)
    model = create_model(args, session)
    predictor = model.deploy(initial_instance_count=1, instance_type=instance_type(args))
    try:
        results = invoke(predictor, args.text or DEFAULT_TEXTS)
        for name, value in results.items():
            print(f"{name}: {json.dumps(value)}")
        return results
    finally:
        if not args.keep:
            predictor.delete_endpoint(delete_endpoint_config=True)
            model.delete_model()


def main(argv=None) -> int:
    deploy_and_invoke(parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
