"""The reference the quality benchmark compares our defaults with: a plain PyTorch fine-tuning
loop, as a user writes it in twenty lines.

AdamW (PyTorch's defaults otherwise) at a constant learning rate, no warm-up, no scheduler, no
gradient clipping, no validation; shuffled batches, dynamic padding, float32; the same model,
training rows, epochs, learning rate, batch size and maximum length as our job. NER learns each
word's first sub-token and answers per word from it (the common recipe, and ours); a word cut off
by ``max_length`` is answered ``O``.
"""
from __future__ import annotations

import torch
from transformers import AutoModelForSequenceClassification, AutoModelForTokenClassification, AutoTokenizer

IGNORE = -100


def _features(task, tokenizer, rows, target, max_length):
    """Tokenized rows; ``target(label cell or tag)`` gives the training target (NER: of a word's
    first sub-token, every other position is ``IGNORE``)."""
    if task != "ner":
        encoded = tokenizer([text for text, _ in rows], truncation=True, max_length=max_length)
        features = [{key: encoded[key][i] for key in encoded} for i in range(len(rows))]
        for feature, (_, label) in zip(features, rows):
            feature["labels"] = target(label)
        return features
    encoded = tokenizer([text.split() for text, _ in rows], is_split_into_words=True,
                        truncation=True, max_length=max_length)
    features = []
    for i, (_, tags) in enumerate(rows):
        words, tags = encoded.word_ids(i), tags.split()
        targets = [target(tags[w]) if w is not None and (p == 0 or words[p - 1] != w) else IGNORE
                   for p, w in enumerate(words)]
        features.append({"input_ids": encoded["input_ids"][i],
                         "attention_mask": encoded["attention_mask"][i], "labels": targets})
    return features


def _pad(tokenizer, features):
    """Pad a batch; label lists (NER) are padded with ``IGNORE`` like the inputs."""
    targets = [f.pop("labels") for f in features]
    batch = tokenizer.pad(features, return_tensors="pt")
    if isinstance(targets[0], list):
        width = batch["input_ids"].shape[1]
        targets = [t + [IGNORE] * (width - len(t)) for t in targets]
    batch["labels"] = torch.tensor(targets)
    return batch


def _model(task, model_dir, labels):
    if task == "ner":
        return AutoModelForTokenClassification.from_pretrained(model_dir, num_labels=len(labels))
    if task == "regression":
        return AutoModelForSequenceClassification.from_pretrained(model_dir, num_labels=1,
                                                                  problem_type="regression")
    return AutoModelForSequenceClassification.from_pretrained(
        model_dir, num_labels=len(labels), problem_type="single_label_classification")


def train_and_predict(task, model_dir, train, test, *, epochs, learning_rate, batch_size,
                      max_length, seed):
    """Fine-tune on ``train`` rows (text, label) and answer the ``test`` rows' texts."""
    torch.manual_seed(seed)  # the new head's weights, dropout and the shuffle
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    labels = sorted({tag for _, cell in train for tag in cell.split()}) if task != "regression" else []
    model = _model(task, model_dir, labels)
    target = float if task == "regression" else labels.index
    features = _features(task, tokenizer, train, target, max_length)
    loader = torch.utils.data.DataLoader(features, batch_size=batch_size, shuffle=True,
                                         collate_fn=lambda b: _pad(tokenizer, [dict(f) for f in b]))
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)
    model.train()
    for _ in range(int(epochs)):
        for batch in loader:
            model(**batch).loss.backward()
            optimizer.step()
            optimizer.zero_grad()
    return predict(task, model.eval(), tokenizer, test, labels, max_length)


@torch.inference_mode()
def predict(task, model, tokenizer, rows, labels, max_length, batch_size=64):
    answers = []
    for start in range(0, len(rows), batch_size):
        chunk = rows[start:start + batch_size]
        # Targets only mark the positions a word is answered from: no gold label is read.
        unlabelled = [(text, " ".join("O" for _ in text.split())) for text, _ in chunk]
        features = _features(task, tokenizer, unlabelled, lambda _: 0, max_length)
        batch = _pad(tokenizer, features)
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        if task == "regression":
            answers += logits.reshape(-1).tolist()
        elif task == "classification":
            answers += [labels[i] for i in logits.argmax(-1).tolist()]
        else:
            answers += _word_tags(batch["labels"], logits.argmax(-1), chunk, labels)
    return answers


def _word_tags(targets, best, rows, labels):
    """One tag per word: the first sub-token's (marked by a target), ``O`` where cut off."""
    tags = []
    for row_targets, row_best, (text, _) in zip(targets, best, rows):
        words = [labels[b] for t, b in zip(row_targets.tolist(), row_best.tolist()) if t != IGNORE]
        tags.append(words + ["O"] * (len(text.split()) - len(words)))
    return tags
