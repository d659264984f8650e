"""The ``localize`` subcommand of ``sagemaker-nlp``: arguments -> ``localize()`` -> the summary.

Exit status: 0 when every page was translated (or nothing needed sending), 1 when a page failed
(the others are written) or the arguments name something unusable (a message says what).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import ClientError
from .api import CACHE_FILE, Options, localize
from .endpoints import HttpEndpoint, Retry, SageMakerEndpoint
from .layouts import NAMES


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "localize", help="translate a site's Markdown pages into other languages, incrementally",
        description="Translate every .md/.mdx page of a site through a translation endpoint; "
                    "only prose not in the segment cache is sent.")
    parser.add_argument("site", type=Path, metavar="SRC", help="the site's root folder")
    parser.add_argument("--to", required=True, type=_languages, metavar="LANGS",
                        help="target language codes, comma-separated: es,fr,de")
    parser.add_argument("--src-lang", help="the pages' language code (default: the model's)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--url", help="a server of ours, e.g. http://127.0.0.1:8080 (a local `serve`)")
    where.add_argument("--endpoint", metavar="NAME", help="a SageMaker endpoint (boto3, AWS credentials)")
    parser.add_argument("--region", help="the endpoint's AWS region (default: the AWS configuration's)")
    parser.add_argument("--endpoint-url", help=argparse.SUPPRESS)  # a VPC endpoint, or a test server
    parser.add_argument("--layout", choices=NAMES, help="default: detected from the site, else nuxt")
    parser.add_argument("--out", metavar="PATTERN",
                        help="write to PATTERN instead of a layout, e.g. 'i18n/{lang}/{path}'")
    parser.add_argument("--model-key", help="the cache's model key (default: the endpoint name or URL); "
                                            "change it, or use --force, after retraining the model")
    parser.add_argument("--cache", type=Path, help=f"the cache file (default: SRC/{CACHE_FILE})")
    parser.add_argument("--force", action="store_true", help="ignore the cache: send every unit")
    parser.add_argument("--dry-run", action="store_true",
                        help="print what would be sent (pages, units, characters per language); send nothing")
    parser.add_argument("--include-drafts", action="store_true", help="also translate draft: true pages")
    parser.add_argument("--include-untranslated", action="store_true",
                        help="also translate translate: false pages")
    parser.add_argument("--update-source", action="store_true",
                        help="record translated_to: [langs] in each source page's front matter")
    parser.add_argument("--parameter", action="append", default=[], type=_parameter, metavar="KEY=VALUE",
                        help="another request parameter (a JSON value), e.g. num_beams=4; repeatable")
    parser.add_argument("--concurrency", type=_positive, default=4, help="pages in flight (default 4)")
    parser.add_argument("--batch-units", type=_positive, default=32, help="units per request (default 32)")
    parser.add_argument("--batch-chars", type=_positive, default=16000,
                        help="characters per request (default 16000)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per request (default 120)")
    parser.add_argument("--retries", type=int, default=4, help="retries of a throttled or 5xx request")
    parser.add_argument("--progress-every", type=float, default=10.0, help=argparse.SUPPRESS)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from .report import Reporter

    try:
        summary = localize(args.site, _options(args), _endpoint(args), Reporter(every_s=args.progress_every))
    except ClientError as error:
        print(f"sagemaker-nlp localize: error: {error}", file=sys.stderr)
        return 1
    print(summary.report())
    for page, lang, reason in summary.failures:
        print(f"FAILED {page} [{lang}]: {reason}", file=sys.stderr)
    if summary.failures:
        print(f"{len(summary.failures)} page translation(s) failed and were not written.", file=sys.stderr)
    return 0 if summary.ok else 1


def _options(args) -> Options:
    return Options(
        targets=args.to, src_lang=args.src_lang, layout=args.layout, out=args.out, model_key=args.model_key,
        cache_path=args.cache, force=args.force, dry_run=args.dry_run, include_drafts=args.include_drafts,
        include_untranslated=args.include_untranslated, update_source=args.update_source,
        parameters=dict(args.parameter), concurrency=args.concurrency, batch_units=args.batch_units,
        batch_chars=args.batch_chars)


def _endpoint(args):
    retry = Retry(attempts=max(0, args.retries) + 1)
    if args.url:
        return HttpEndpoint(args.url, args.timeout, retry)
    if args.endpoint:
        return SageMakerEndpoint(args.endpoint, args.region, args.timeout, retry, args.endpoint_url,
                                 max_connections=max(10, args.concurrency))
    return None


def _languages(value: str) -> tuple[str, ...]:
    codes = tuple(code.strip() for code in value.split(",") if code.strip())
    if not codes:
        raise argparse.ArgumentTypeError("give language codes, e.g. es,fr,de")
    return codes  # checked by localize(): the Python API takes the same codes


def _parameter(value: str) -> tuple[str, object]:
    key, sep, raw = value.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {value!r}")
    try:
        return key, json.loads(raw)
    except ValueError:
        return key, raw  # a bare word: the string itself


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number
