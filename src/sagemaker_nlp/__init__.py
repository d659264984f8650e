"""sagemaker-nlp: fine-tune and serve Hugging Face transformer models in one SageMaker container."""

__version__ = "0.1.0"
