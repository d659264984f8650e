"""text/csv in and out, and the record shapes Batch Transform sends and joins (join_source="Input",
input_filter, output_filter), through the real app and a real (tiny, untrained) classifier.

SageMaker SDK v2 local mode ignores DataProcessing (no join, no filters), so what the service sends
after filtering is sent here directly, and the join is done as the service does it: input record
and output record side by side, one for one."""
from __future__ import annotations

import csv
import io
import json

import pytest

from sagemaker_nlp.serving import csv_codec
from sagemaker_nlp.serving.app import create_app
from sagemaker_nlp.serving.predictor import Predictor
from sagemaker_nlp.serving.settings import ServerSettings
from sagemaker_nlp.tasks import get_task

LABELS = {"account", "billing", "shipping", "technical"}


@pytest.fixture(scope="module")
def client(tiny_classifier):
    predictor = Predictor(tiny_classifier, batch_size=4)
    predictor.load()
    assert predictor.ready.is_set(), predictor.error
    return create_app(ServerSettings.from_env(), predictor).test_client()


def post(client, body: str, accept=None, attributes=None, content_type="text/csv"):
    headers = {"Content-Type": content_type}
    if accept:
        headers["Accept"] = accept
    if attributes:
        headers["X-Amzn-SageMaker-Custom-Attributes"] = attributes
    return client.post("/invocations", data=body.encode(), headers=headers)


def rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))


def test_one_answer_row_per_text_row_with_prediction_and_error_columns(client):
    response = post(client, "refund please\nparcel late\nmy password\n")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert not response.get_data(as_text=True).endswith("\n")  # AssembleWith=Line adds it
    answer = rows(response)
    assert len(answer) == 3
    for label, proba, error in answer:
        assert label in LABELS and 0 < float(proba) <= 1 and error == ""


def test_a_header_row_is_answered_with_a_header_row(client):
    for name in ("text", "inputs"):
        answer = rows(post(client, f"{name}\nrefund please\nparcel late\n"))
        assert answer[0] == ["pred", "proba", "error"] and len(answer) == 3


def test_only_a_first_row_of_exactly_text_or_inputs_is_a_header(client):
    answer = rows(post(client, "refund please\ntext\n"))
    assert len(answer) == 2 and all(row[0] in LABELS for row in answer)


QUOTED = ['refund, please', 'he said "late"', "two\nlines", "crlf\r\nlines", "  spaced  ", "é ü"]


def quoted_csv(texts, terminator="\r\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=terminator).writerows([t] for t in texts)
    return buffer.getvalue()


@pytest.mark.parametrize("terminator", ["\r\n", "\n"])
def test_rfc_4180_quoting_keeps_commas_quotes_and_line_breaks_in_one_text(terminator):
    records, header = csv_codec.decode(quoted_csv(QUOTED, terminator), {"top_k": 2})
    assert not header and [r["text"] for r in records] == QUOTED
    assert all(r["parameters"] == {"top_k": 2} for r in records)


def test_quoted_texts_are_answered_as_each_alone(client):
    answer = rows(post(client, quoted_csv(QUOTED)))
    single = [client.post("/invocations", json={"data": [{"text": t}]}).get_json()["predictions"][0]
              for t in QUOTED]
    assert len(answer) == len(QUOTED)
    for row, alone in zip(answer, single):
        assert row[0] == alone["pred"] and abs(float(row[1]) - alone["proba"]) < 1e-3


def test_a_bad_row_fails_alone_in_its_own_error_cell(client):
    answer = rows(post(client, 'refund please\n"a","b"\n""\nparcel late\n'))
    assert len(answer) == 4
    assert answer[0][0] in LABELS and answer[3][0] in LABELS
    assert answer[1][:2] == ["", ""] and "row 2: 2 columns" in answer[1][2]
    assert answer[2][:2] == ["", ""] and "row 3" in answer[2][2] and "non-empty" in answer[2][2]


def test_csv_is_answered_as_json_lines_per_accept(client):
    response = post(client, "refund please\nparcel late", accept="application/jsonlines")
    lines = [json.loads(line) for line in response.get_data(as_text=True).split("\n")]
    assert response.mimetype == "application/jsonlines" and len(lines) == 2
    assert all(line["pred"] in LABELS for line in lines)


def test_parameters_come_from_custom_attributes(client):
    response = post(client, "refund please", accept="application/jsonlines", attributes="top_k=2")
    assert len(json.loads(response.get_data(as_text=True))["scores"]) == 2
    assert "colour" in rows(post(client, "refund please", attributes="colour=red"))[0][2]


def test_an_empty_or_unparseable_csv_body_is_a_400(client):
    for body in ("", "\n\n", "text\n"):
        response = post(client, body)
        assert response.status_code == 400 and "no CSV rows" in response.get_json()["error"]


def test_a_csv_charset_and_its_aliases_are_honoured(client):
    body = "café refund\n".encode("latin-1")
    response = client.post("/invocations", data=body,
                           headers={"Content-Type": "application/csv; charset=latin-1"})
    assert response.status_code == 200 and rows(response)[0][0] in LABELS


def test_join_source_input_pairs_every_input_row_with_its_answer_row(client):
    """Batch Transform joins line by line: input row i + answer row i, header with header."""
    source = "text\nrefund please\n\"late, very late\"\nmy password\n"
    answer = post(client, source).get_data(as_text=True).split("\n")
    joined = [f"{left},{right}" for left, right in zip(source.strip("\n").split("\n"), answer, strict=True)]
    table = list(csv.reader(io.StringIO("\n".join(joined))))
    assert table[0] == ["text", "pred", "proba", "error"]
    assert [row[0] for row in table[1:]] == ["refund please", "late, very late", "my password"]
    assert all(row[1] in LABELS for row in table[1:])


def test_input_filter_on_csv_leaves_one_column_which_is_answered(client):
    """input_filter="$[1]" on "id,text" rows: the container sees the text column alone."""
    records = [["17", "refund please"], ["18", "parcel, late"]]
    filtered = io.StringIO()
    csv.writer(filtered, lineterminator="\n").writerows([r[1]] for r in records)
    answer = rows(post(client, filtered.getvalue()))
    assert len(answer) == 2 and all(row[0] in LABELS for row in answer)


@pytest.mark.parametrize("content_type", ["application/jsonlines", "application/json"])
def test_input_filter_on_json_lines_leaves_bare_strings_which_are_answered(client, content_type):
    """input_filter="$.text" on {"id", "text"} records: each line is a JSON string; joined with
    join_source="Input", each answer becomes the record's SageMakerOutput, which
    output_filter="$['id','SageMakerOutput']" then selects."""
    records = [{"id": 1, "text": "refund please"}, {"id": 2, "text": "parcel late"}]
    body = "\n".join(json.dumps(r["text"]) for r in records)
    response = post(client, body, content_type=content_type, accept="application/jsonlines")
    answers = [json.loads(line) for line in response.get_data(as_text=True).split("\n")]
    joined = [{**record, "SageMakerOutput": answer} for record, answer in zip(records, answers, strict=True)]
    assert [{"id": j["id"], "pred": j["SageMakerOutput"]["pred"] in LABELS} for j in joined] == [
        {"id": 1, "pred": True}, {"id": 2, "pred": True}]


def test_a_single_bare_string_record_is_answered(client):
    response = post(client, json.dumps("refund please"), content_type="application/json")
    assert response.status_code == 200 and response.get_json()["pred"] in LABELS


def test_csv_columns_follow_the_task_prediction():
    regression, translation = get_task("regression")(), get_task("translation")()
    assert csv_codec.header(regression) == "pred,error"
    assert csv_codec.row(regression, {"pred": 0.1234567891}) == "0.123457,"
    assert csv_codec.row(translation, {"pred": 'Hola, "mundo"'}) == '"Hola, ""mundo""",'
    multilabel = get_task("multilabel")()
    assert csv_codec.row(multilabel, {"pred": ["a b", "c"], "proba": [0.9, 0.51]}) == '"a b,c","0.9,0.51",'


def test_execution_parameters_say_the_batch_strategy_only_when_the_job_set_it(client, tiny_classifier,
                                                                             monkeypatch):
    assert "BatchStrategy" not in client.get("/execution-parameters").get_json()
    monkeypatch.setenv("SAGEMAKER_BATCH_STRATEGY", "MULTI_RECORD")
    predictor = client.application.extensions["predictor"]
    strategy = create_app(ServerSettings.from_env(), predictor).test_client()
    assert strategy.get("/execution-parameters").get_json()["BatchStrategy"] == "MULTI_RECORD"
