"""POST /v1/positions/batch (SPEC §12): NDJSON in and out, one line per input line, in order;
each summary is the one POST /v1/positions gives; bad lines are error lines."""

from __future__ import annotations

import json

import orjson
import pytest

from app.api.routes.positions_batch import MAX_LINES, split_lines
from tests.conftest import load_examples

NDJSON = {"content-type": "application/x-ndjson"}
LOAN = {
    "principal": "12000.00",
    "term_months": 5,
    "start_date": "2026-01-15",
    "daily_rate": "0.0005",
}


def post(client, lines: list[str] | bytes):
    body = lines if isinstance(lines, bytes) else ("\n".join(lines) + "\n").encode()
    response = client.post("/v1/positions/batch", content=body, headers=NDJSON)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-ndjson"
    return [json.loads(line) for line in response.text.splitlines()]


def line(loan_id: str, **request) -> str:
    return json.dumps({"loan_id": loan_id, **request})


def test_each_line_is_the_summary_of_post_positions_in_input_order(client):
    requests = [e["request"] for e in load_examples("positions")]
    assert len(requests) >= 5, "the golden position examples are missing"
    answers = post(client, [line(f"loan-{i}", **r) for i, r in enumerate(requests)])
    assert [a["loan_id"] for a in answers] == [f"loan-{i}" for i in range(len(requests))]
    for request, answer in zip(requests, answers, strict=True):
        expected = client.post("/v1/positions", json=request).json()["summary"]
        assert answer == {"loan_id": answer["loan_id"], "summary": expected}


def test_the_case_study_line_gives_the_published_figures(client):
    """SPEC §10: 36 days past due on 2026-06-20, M2, total overdue 5093.17."""
    payments = [
        {"date": d, "amount": "2509.07"} for d in ("2026-02-15", "2026-03-15", "2026-04-15")
    ]
    (answer,) = post(client, [line("cs", loan=LOAN, payments=payments, as_of="2026-06-20")])
    summary = answer["summary"]
    assert (summary["days_past_due"], summary["bucket"], summary["total_overdue"]) == (
        36,
        "M2",
        "5093.17",
    )


def test_bad_lines_are_error_lines_with_the_apis_problem_and_the_rest_are_answered(client):
    bad_loan = {**LOAN, "principal": "0"}
    lines = [
        line("a", loan=LOAN, as_of="2026-06-20"),
        '{"loan_id": "b", "loan": ',  # malformed
        line("c", loan=bad_loan, as_of="2026-06-20"),
        line("d", loan=LOAN, as_of="2025-01-01"),  # refused by the engine
        "[1, 2]",
        json.dumps({"loan": LOAN, "as_of": "2026-06-20"}),  # no loan_id
        "",
        line("g", loan=LOAN, as_of="2026-06-20"),
    ]
    answers = post(client, lines)
    assert len(answers) == len(lines)
    assert [a["loan_id"] for a in answers] == ["a", None, "c", "d", None, None, None, "g"]
    assert "summary" in answers[0]
    assert "summary" in answers[-1]
    assert answers[1]["error"]["status"] == 400
    assert answers[6]["error"]["status"] == 400
    for index, request in (
        (2, {"loan": bad_loan, "as_of": "2026-06-20"}),
        (3, {"loan": LOAN, "as_of": "2025-01-01"}),
    ):
        expected = client.post("/v1/positions", json=request)
        assert expected.status_code == 422
        assert answers[index]["error"] == expected.json()
    assert answers[4]["error"]["detail"] == "body: Input should be an object"
    assert answers[5]["error"]["detail"] == "loan_id: Field required"


def test_a_body_over_the_one_request_limit_streams_and_a_line_over_it_is_an_error_line(client):
    one = line("x", loan=LOAN, as_of="2026-06-20").encode()
    lines = [one] * (2 * 1024 * 1024 // len(one))  # a 2 MiB body: over the 1 MiB limit
    huge = b'{"loan_id": "huge", "pad": "' + b"z" * (1024 * 1024 + 10) + b'"}'
    answers = post(client, b"\n".join([*lines, huge, one]))
    assert len(answers) == len(lines) + 2
    assert all("summary" in a for a in answers[: len(lines)])
    assert answers[-2]["error"]["status"] == 413
    assert "larger than 1048576 bytes" in answers[-2]["error"]["detail"]
    assert "summary" in answers[-1]


def test_after_the_line_limit_one_error_line_ends_the_answer(client):
    answers = post(client, b"x\n" * (MAX_LINES + 5))
    assert len(answers) == MAX_LINES + 1
    assert all(a["error"]["status"] == 400 for a in answers[:MAX_LINES])
    assert answers[-1] == {
        "loan_id": None,
        "error": {
            "type": "about:blank",
            "title": "Content Too Large",
            "status": 413,
            "detail": f"at most {MAX_LINES} lines per request; the rest was not read",
        },
    }


def test_exactly_the_line_limit_is_answered_in_full(client):
    answers = post(client, b"x\n" * MAX_LINES)
    assert len(answers) == MAX_LINES
    assert answers[-1]["error"]["status"] == 400


def test_another_media_type_is_a_415(client):
    response = client.post("/v1/positions/batch", json={"loan": LOAN})
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.anyio
@pytest.mark.parametrize("size", [1, 3, 7, 64])
async def test_lines_split_across_chunks_of_any_size_come_whole(size):
    body = b'{"a": 1}\r\n\n{"b": 2}\nlast'

    async def chunks():
        for start in range(0, len(body), size):
            yield body[start : start + size]

    lines = [x async for batch in split_lines(chunks(), 100) for x in batch]
    assert lines == [b'{"a": 1}', b"", b'{"b": 2}', b"last"]
    assert orjson.loads(lines[0]) == {"a": 1}


@pytest.mark.anyio
async def test_a_line_over_the_limit_is_dropped_as_it_arrives():
    async def chunks():
        yield b"ok\n" + b"y" * 50
        yield b"y" * 60
        yield b"y\nafter\n"

    lines = [x async for batch in split_lines(chunks(), 100) for x in batch]
    assert lines == [b"ok", None, b"after"]


def test_a_real_server_streams_lines_in_and_out_at_once(tmp_path):
    """uvicorn (ASGI 2.3): lines sent while the answer is read, all answered, in order.
    A response that also listened for a disconnect would take the body's chunks."""
    from bench.batch import stream_ndjson
    from tests.live_server import live_server

    one = line("{}", loan=LOAN, as_of="2026-06-20")
    lines = [(one.replace("{}", f"L{i}", 1) + "\n").encode() for i in range(3000)]
    received = bytearray()
    with live_server() as base_url:
        _, answered = stream_ndjson(int(base_url.rsplit(":", 1)[1]), lines, received.extend)
    answers = [json.loads(x) for x in received.splitlines()]
    assert answered == len(answers) == len(lines)
    assert [a["loan_id"] for a in answers] == [f"L{i}" for i in range(3000)]
    assert all(a["summary"]["bucket"] == "M5" for a in answers)


def test_a_loan_id_that_is_not_a_string_is_an_error_line(client):
    (answer,) = post(client, [json.dumps({"loan_id": 7, "loan": LOAN, "as_of": "2026-06-20"})])
    assert answer["loan_id"] is None
    assert answer["error"]["errors"] == [
        {"loc": ["body", "loan_id"], "msg": "Input should be a valid string", "type": "string_type"}
    ]
