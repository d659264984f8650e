"""Training entry point: hyperparameters and channels in, a fine-tuned model and metrics out."""
