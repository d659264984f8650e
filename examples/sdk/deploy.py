#!/usr/bin/env python
"""Deploy a trained model with the SageMaker Python SDK v3 (`ModelBuilder`) and invoke it with
both JSON envelopes (native and Hugging Face).

  AWS:    python examples/sdk/deploy.py --image-uri <ECR URI> --role <ARN> \\
            --model-data s3://bucket/models/<job>/output/model.tar.gz --instance-type ml.m5.xlarge
  local:  python examples/sdk/deploy.py --local --image-uri sagemaker-nlp:test \\
            --model-data /tmp/sm-output/model.tar.gz
  async (AWS):      add --async-output-path s3://bucket/async/out/ (see README, "Async Inference")
  serverless (AWS): add --serverless-memory 3072 (see README, "Serverless Inference")

On AWS, ModelBuilder with only an image and model data is a pass-through build: the image's own
`serve` answers. In local mode (SDK 3.27) it needs more: `model_server=ModelServer.MMS` (the one
local server kind that runs `docker run IMAGE serve`), a `schema_builder` (its health check posts
the sample input), and the model as a folder whose `code/` sub-folder it mounts at /opt/ml/model;
the container publishes host port 8080. The endpoint is deleted at the end unless --keep is given.
"""
from __future__ import annotations

import argparse
import json
import sys

from common import (
    add_common_arguments,
    instance_type,
    local_mode_environment,
    role,
    to_uri,
    unpack_model,
    use_local_images_without_pull,
    workdir,
)

DEFAULT_TEXTS = ["I loved this film, it was wonderful", "A boring and dreadful plot"]
# The image's settings for each hosting mode (README, "Hosting modes").
ASYNC_ENVIRONMENT = {"SAGEMAKER_MODEL_SERVER_TIMEOUT": "3600", "SAGEMAKER_MAX_PAYLOAD_IN_MB": "1024",
                     "SAGEMAKER_NLP_MAX_DOCUMENT_CHARS": "1000000", "SAGEMAKER_MODEL_SERVER_WORKERS": "1"}
SERVERLESS_ENVIRONMENT = {"SAGEMAKER_MODEL_SERVER_WORKERS": "1"}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_arguments(parser)
    parser.add_argument("--model-data", required=True,
                        help="model.tar.gz (s3:// URI, or a path with --local)")
    parser.add_argument("--text", action="append", help="text to send (repeatable)")
    parser.add_argument("--keep", action="store_true", help="leave the endpoint running")
    hosting = parser.add_mutually_exclusive_group()
    hosting.add_argument("--async-output-path",
                         help="AWS: deploy for Async Inference, answers to this S3 prefix")
    hosting.add_argument("--serverless-memory", type=int, choices=(1024, 2048, 3072, 4096, 5120, 6144),
                         help="AWS: deploy as a Serverless endpoint with this much memory (MB)")
    args = parser.parse_args(argv)
    if args.local and (args.async_output_path or args.serverless_memory):
        parser.error("Async and Serverless Inference exist on AWS only (no local mode)")
    args.model_data = to_uri(args.model_data, args.local)
    return args


def environment(args) -> dict[str, str]:
    env = dict(ASYNC_ENVIRONMENT if args.async_output_path else
               SERVERLESS_ENVIRONMENT if args.serverless_memory else {})
    if args.workers:
        env["SAGEMAKER_MODEL_SERVER_WORKERS"] = str(args.workers)
    return env


def model_builder(args, **extra):
    """ModelBuilder for the image and the model: pass-through on AWS, MMS-style in local mode."""
    from sagemaker.serve import ModelBuilder
    from sagemaker.serve.mode.function_pointers import Mode

    settings = {"image_uri": args.image_uri, "role_arn": role(args), "env_vars": environment(args),
                "instance_type": instance_type(args), **extra}
    if not args.local:
        return ModelBuilder(s3_model_data_url=args.model_data, mode=Mode.SAGEMAKER_ENDPOINT, **settings)
    local_mode_environment()
    # Local ModelBuilder never reads s3_model_data_url, but without one build() asks STS for the
    # account's default bucket.
    return ModelBuilder(mode=Mode.LOCAL_CONTAINER, s3_model_data_url="s3://unused/model.tar.gz",
                        **settings)


def deploy(args):
    """Build and deploy; returns (builder, endpoint)."""
    if not args.local:
        builder = model_builder(args)
        builder.build()
        return builder, builder.deploy(initial_instance_count=1, **_inference_config(args))
    from sagemaker.serve import ModelServer
    from sagemaker.serve.builder.schema_builder import SchemaBuilder

    use_local_images_without_pull()
    folder = workdir(args, "endpoint-model")
    unpack_model(args.model_data, folder / "code")  # local MMS mounts <model_path>/code
    schema = SchemaBuilder({"inputs": ["warm up"]}, [{"label": "LABEL", "score": 1.0}])
    builder = model_builder(args, model_path=str(folder), model_server=ModelServer.MMS,
                            schema_builder=schema)
    builder.build()
    return builder, builder.deploy()


def _inference_config(args) -> dict:
    from sagemaker.core.inference_config import AsyncInferenceConfig, ServerlessInferenceConfig

    if args.async_output_path:
        # One invocation at a time per instance: each may run up to an hour on a 1 GB body.
        return {"inference_config": AsyncInferenceConfig(
            output_path=args.async_output_path, max_concurrent_invocations_per_instance=1)}
    if args.serverless_memory:
        return {"inference_config": ServerlessInferenceConfig(memory_size_in_mb=args.serverless_memory)}
    return {}


def invoke(endpoint, body: dict, local: bool):
    """POST one JSON body; returns the decoded answer. Local mode's endpoint object decodes the
    answer itself and wraps it in a list of one; the AWS one returns the bytes."""
    output = endpoint.invoke(body=json.dumps(body), content_type="application/json",
                             accept="application/json")
    answer = json.loads(output.body.read())
    return answer[0] if local else answer


def invoke_both_envelopes(endpoint, texts: list[str], local: bool) -> dict:
    return {"json_native": invoke(endpoint, {"data": [{"text": text} for text in texts]}, local),
            "json_hf": invoke(endpoint, {"inputs": texts}, local)}


def tear_down(builder, endpoint, local: bool) -> None:
    endpoint.delete()
    if local:
        # The local endpoint's delete() stops the SDK's bookkeeping container only; the serving
        # container that ModelBuilder started itself is stopped here.
        from sagemaker.serve.mode.function_pointers import Mode

        builder.modes[str(Mode.LOCAL_CONTAINER)].destroy_server()
    else:
        builder.built_model.delete()


def deploy_and_invoke(args) -> dict:
    builder, endpoint = deploy(args)
    if args.async_output_path:
        # Async requests are S3 objects: the endpoint stays for them (delete it when done).
        print(f"async endpoint {endpoint.endpoint_name}: send work with "
              "endpoint.invoke_async(input_location='s3://.../body.jsonl', "
              "content_type='application/jsonlines')")
        return {}
    try:
        results = invoke_both_envelopes(endpoint, args.text or DEFAULT_TEXTS, args.local)
        for name, value in results.items():
            print(f"{name}: {json.dumps(value)}")
        return results
    finally:
        if not args.keep:
            tear_down(builder, endpoint, args.local)


def main(argv=None) -> int:
    deploy_and_invoke(parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
