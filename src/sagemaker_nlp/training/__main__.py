"""``python -m sagemaker_nlp.training``: the same as the ``train`` console script."""
from .cli import main

if __name__ == "__main__":
    main()
