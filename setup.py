"""Package metadata for sagemaker-nlp: one image that fine-tunes and serves Hugging Face NLP models.

Ranges here say what the code works with; the exact versions every build installs are pinned in
requirements/lock.txt (refresh: bash scripts/refresh-lock.sh).
"""
import ast
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).resolve().parent


def read_version() -> str:
    """``__version__`` from src/sagemaker_nlp/__init__.py, the one place it is written.

    Parsed, not imported: setup.py runs before the package's dependencies are installed.
    """
    source = (HERE / "src" / "sagemaker_nlp" / "__init__.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__version__" for target in node.targets
        ):
            return ast.literal_eval(node.value)
    raise RuntimeError("src/sagemaker_nlp/__init__.py assigns no __version__")


setup(
    name="sagemaker-nlp",
    version=read_version(),
    description="Fine-tune and serve Hugging Face transformer models on Amazon SageMaker",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    package_dir={"": "src"},
    packages=find_packages("src"),
    package_data={"sagemaker_nlp.reporting": ["templates/*.j2"]},
    python_requires=">=3.10",
    # What `sagemaker-nlp localize` and the documents package need, and nothing more: the client
    # runs in a CI job without the model stack. Training and serving need the `ml` extra.
    install_requires=[
        # documents/: structure-preserving Markdown and plain text
        "markdown-it-py>=4.0,<5",  # md_parser wraps its inline rules by name
        "mdit-py-plugins>=0.5,<1",
        "linkify-it-py>=2.0,<3",
        "PyYAML>=6.0",
        "tomlkit>=0.13,<1",
        "tqdm>=4.60",  # localize's progress bar; HF_MODEL_ID download progress (hub_progress.py)
    ],
    extras_require={
        # The model stack: `train` and `serve` (the image installs it). torch has a lower bound
        # only: install the CPU or CUDA build you want *before* this package (a bare `torch`
        # requirement from PyPI pulls a multi-GB CUDA build). Its exact release for every build
        # of ours is the torch pin in requirements/lock.in.
        "ml": [
            "torch>=2.2",
            "transformers>=5.0,<6",
            "accelerate>=1.0",
            "tokenizers>=0.21",
            "sentencepiece>=0.2",
            "protobuf>=4",
            "safetensors>=0.4",
            # HF_MODEL_ID downloads (hub.py): snapshot_download(endpoint=, tqdm_class=), its error
            # types and get_cached_repo_tree; httpx2 is its HTTP client, whose transport errors we
            # classify.
            "huggingface_hub>=2.4,<3",
            "httpx2>=2,<3",
            "numpy>=1.24",
            "scikit-learn>=1.3",
            "scipy>=1.10",
            "seqeval>=1.2.2",
            "sacrebleu>=2.4",
            "rouge-score>=0.1.2",  # summarization metrics
            "flask>=3.0",
            "werkzeug>=3.0",
            "gunicorn>=22",
            "ctranslate2>=4.5",  # fast seq2seq serving (engines/ct2.py); CPU and CUDA wheels
            # output/data/report.html (reporting/): plots drawn with the Agg backend, a Jinja2 page.
            "matplotlib>=3.8",
            "jinja2>=3.1",
            # TensorBoard event files (torch.utils.tensorboard's SummaryWriter needs this package).
            "tensorboard>=2.15",
        ],
        # `sagemaker-nlp localize --endpoint NAME`: InvokeEndpoint through boto3.
        "aws": ["boto3>=1.28"],
        # playwright drives Debian's chromium (executable_path) for the report's browser check;
        # it never downloads a browser of its own.
        "test": ["pytest>=8", "requests>=2.31", "ruff>=0.15", "hypothesis>=6.100", "playwright>=1.45"],
        # SageMaker Python SDK v3 (ModelTrainer, ModelBuilder): what examples/sdk/ is written for;
        # pinned in requirements/lock.txt. `sdk-v3` is the same set under its older name.
        "sdk": ["sagemaker>=3,<4"],
        "sdk-v3": ["sagemaker>=3,<4"],
        # SageMaker Python SDK v2 (Estimator, Model): examples/sdk/v2/. It cannot share an
        # environment with v3: install it in a venv of its own (requirements/sdk-v2.txt).
        "sdk-v2": ["sagemaker>=2.200,<3"],
        # Tooling that refreshes the lock files (scripts/refresh-lock.sh).
        "dev": ["uv>=0.9"],
    },
    entry_points={
        "console_scripts": [
            # train/serve say what to install when the ml extra is missing (ml_stack.py).
            "train=sagemaker_nlp.ml_stack:train",
            "serve=sagemaker_nlp.ml_stack:serve",
            "sagemaker-nlp=sagemaker_nlp.cli:main",
        ]
    },
)
