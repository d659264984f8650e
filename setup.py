"""Package metadata for sagemaker-nlp: one image that fine-tunes and serves Hugging Face NLP models."""
from setuptools import find_packages, setup

setup(
    name="sagemaker-nlp",
    version="0.1.0",
    description="Fine-tune and serve Hugging Face transformer models on Amazon SageMaker",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    package_dir={"": "src"},
    packages=find_packages("src"),
    python_requires=">=3.10",
    # torch is deliberately unpinned: install the CPU or CUDA build you want *before* this package
    # (a bare `torch` requirement from PyPI pulls a multi-GB CUDA build).
    install_requires=[
        "torch>=2.2",
        "transformers>=5.0,<6",
        "accelerate>=1.0",
        "tokenizers>=0.21",
        "sentencepiece>=0.2",
        "protobuf>=4",
        "safetensors>=0.4",
        # HF_MODEL_ID downloads (hub.py): snapshot_download(endpoint=, tqdm_class=), its error types
        # and get_cached_repo_tree; httpx2 is its HTTP client, whose transport errors we classify.
        "huggingface_hub>=2.4,<3",
        "httpx2>=2,<3",
        "tqdm>=4.60",
        "numpy>=1.24",
        "scikit-learn>=1.3",
        "scipy>=1.10",
        "seqeval>=1.2.2",
        "sacrebleu>=2.4",
        "flask>=3.0",
        "werkzeug>=3.0",
        "gunicorn>=22",
        "ctranslate2>=4.5",  # fast seq2seq serving (engines/ct2.py); CPU and CUDA wheels
    ],
    extras_require={
        "test": ["pytest>=8", "requests>=2.31"],
        "sdk": ["sagemaker>=2.200,<3"],
    },
    entry_points={
        "console_scripts": [
            "train=sagemaker_nlp.training.cli:main",
            "serve=sagemaker_nlp.serving.cli:main",
        ]
    },
)
