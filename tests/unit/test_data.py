"""TSV channels are read as strings, with errors that name file, line and column."""
from __future__ import annotations

import pytest

from sagemaker_nlp.data import carve_validation, find_split_files, load_split, load_splits
from sagemaker_nlp.errors import ClientError
from sagemaker_nlp.tasks import get_task

COLUMNS = {"text": "text", "labels": "labels"}


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def task():
    return get_task("classification")()


def test_quotes_and_na_words_are_kept_as_text(tmp_path):
    path = write(tmp_path / "train.tsv", 'text\tlabels\n"quoted" text\tNA\nnull\tNone\n')
    examples = load_split(path, task(), COLUMNS)
    assert [(e["text"], e["labels"]) for e in examples] == [('"quoted" text', "NA"), ("null", "None")]


def test_wrong_number_of_columns_names_file_and_line(tmp_path):
    path = write(tmp_path / "train.tsv", "text\tlabels\nfine\ta\nbroken row without tab\n")
    with pytest.raises(ClientError, match=r"train\.tsv:3: expected 2 tab-separated columns"):
        load_split(path, task(), COLUMNS)


def test_missing_column_names_the_column_and_the_header(tmp_path):
    path = write(tmp_path / "train.tsv", "sentence\tlabels\nx\ty\n")
    with pytest.raises(ClientError, match=r"train\.tsv:1: missing column 'text'.*sentence, labels"):
        load_split(path, task(), COLUMNS)


def test_empty_label_names_the_row(tmp_path):
    path = write(tmp_path / "train.tsv", "text\tlabels\nx\ty\nz\t \n")
    with pytest.raises(ClientError, match=r"train\.tsv:3: 'labels' is empty"):
        load_split(path, task(), COLUMNS)


def test_custom_column_names_are_mapped(tmp_path):
    path = write(tmp_path / "train.tsv", "id\tsentence\tcategory\n1\thello\tgreeting\n")
    examples = load_split(path, task(), {"text": "sentence", "labels": "category"})
    assert examples[0]["text"] == "hello" and examples[0]["labels"] == "greeting"


def test_channels_train_dev_test_are_found(tmp_path):
    for split in ("train", "dev", "test"):
        write(tmp_path / split / f"{split}.tsv", "text\tlabels\nx\ty\n")
    files = find_split_files(tmp_path)
    assert {k: v.name for k, v in files.items()} == {
        "train": "train.tsv", "validation": "dev.tsv", "test": "test.tsv"}


def test_legacy_single_train_channel_with_three_files(tmp_path):
    for stem in ("train", "dev", "test"):
        write(tmp_path / "train" / f"{stem}.csv", "text\tlabels\nx\ty\n")
    files = find_split_files(tmp_path)
    assert {k: v.name for k, v in files.items()} == {
        "train": "train.csv", "validation": "dev.csv", "test": "test.csv"}


def test_missing_train_channel_is_a_user_error(tmp_path):
    write(tmp_path / "test" / "test.tsv", "text\tlabels\nx\ty\n")
    with pytest.raises(ClientError, match="No training data"):
        find_split_files(tmp_path)


def test_channel_with_two_data_files_is_ambiguous(tmp_path):
    write(tmp_path / "validation" / "a.tsv", "text\tlabels\nx\ty\n")
    write(tmp_path / "validation" / "b.tsv", "text\tlabels\nx\ty\n")
    with pytest.raises(ClientError, match="exactly one"):
        find_split_files(tmp_path)


def test_validation_is_carved_reproducibly_when_absent(tmp_path):
    rows = "".join(f"text {i}\tlabel{i % 2}\n" for i in range(50))
    write(tmp_path / "train" / "train.tsv", "text\tlabels\n" + rows)
    first = load_splits(tmp_path, task(), COLUMNS, 0.2, seed=1)
    second = load_splits(tmp_path, task(), COLUMNS, 0.2, seed=1)
    assert len(first["validation"]) == 10 and len(first["train"]) == 40
    assert [e["text"] for e in first["validation"]] == [e["text"] for e in second["validation"]]


def test_carving_needs_two_rows():
    with pytest.raises(ClientError):
        carve_validation([{"text": "x"}], 0.1, 0)


def test_unknown_label_in_dev_is_reported_with_the_known_labels(tmp_path):
    t = task()
    t.set_labels(["a", "b"])
    with pytest.raises(ClientError, match=r"dev\.tsv:2: label 'c'.*never occurs.*a, b"):
        t.check_labels([{"text": "x", "labels": "c", "where": "dev.tsv:2"}], "validation")
