"""Entity spans on redacted review texts: what is trainable, what the model's parse gives, and the
Rasa training format they are written in."""

from __future__ import annotations

import pytest

from handoff.review.entities import BadSpans, check, from_parse, marked

KNOWN = {"order_id", "email"}


def test_marked_writes_rasas_format_in_any_script() -> None:
    text = "ביטול הזמנה 19001 בבקשה"
    start = text.index("19001")
    spans = [{"start": start, "end": start + 5, "entity": "order_id"}]
    assert marked(text, spans) == "ביטול הזמנה [19001](order_id) בבקשה"
    assert marked("no entities", []) == "no entities"


@pytest.mark.parametrize(("spans", "why"), [
    ([{"start": 3, "end": 3, "entity": "order_id"}], "not within"),
    ([{"start": -1, "end": 2, "entity": "order_id"}], "not within"),
    ([{"start": 0, "end": 6, "entity": "order_id"}], "space"),
    ([{"start": 6, "end": 11, "entity": "order_id"}, {"start": 8, "end": 11, "entity": "email"}], "overlaps"),
    ([{"start": 6, "end": 11, "entity": "colour"}], "not an entity"),
    ([{"start": 12, "end": 18, "entity": "email"}], "bracket"),
])
def test_untrainable_spans_are_refused_saying_why(spans: list[dict[str, object]], why: str) -> None:
    with pytest.raises(BadSpans, match=why):
        check("order 19001 [name] x", spans, KNOWN)


def test_spans_come_back_sorted() -> None:
    text = "19001 and 19002"
    spans = check(text, [{"start": 10, "end": 15, "entity": "order_id"}, {"start": 0, "end": 5, "entity": "order_id"}],
                  KNOWN)
    assert [s["start"] for s in spans] == [0, 10]


def test_from_parse_keeps_what_can_be_trained_on() -> None:
    text = "order 19001 for a@b.co"
    parse = {"entities": [
        {"entity": "email", "start": 16, "end": 22, "value": "a@b.co"},
        {"entity": "order_id", "start": 6, "end": 11, "value": "19001"},
        {"entity": "number", "start": 6, "end": 11, "value": 19001},  # a second extractor on the same span
        {"entity": "broken"},  # no offsets
    ]}
    assert from_parse(text, parse) == [{"start": 6, "end": 11, "entity": "order_id"},
                                       {"start": 16, "end": 22, "entity": "email"}]
    assert from_parse(text, {}) == []


def test_an_examples_markup_is_read_and_moved_onto_the_redacted_text() -> None:
    from handoff.review.entities import through_redaction, unmarked
    from handoff.review.redaction import redact

    plain, spans = unmarked("mail [jo.smith@example.org](email) about [10007](order_id), not [x]")
    assert plain == "mail jo.smith@example.org about 10007, not [x]"
    assert [plain[s["start"]:s["end"]] for s in spans] == ["jo.smith@example.org", "10007"]
    redacted = redact(plain, "en")
    moved = through_redaction(spans, redacted)
    assert [(redacted.text[s["start"]:s["end"]], s["entity"]) for s in moved] == [
        ("customer@example.com", "email"), ("19001", "order_id")]
    # An edge inside a replaced value takes all of it.
    assert through_redaction([{"start": 7, "end": 12, "entity": "email"}], redacted) == [
        {"start": 5, "end": 5 + len("customer@example.com"), "entity": "email"}]
    # Hebrew, with a phone number before the order (a tag, shorter than the number).
    plain, spans = unmarked("התקשרו ל-052-1234567 לגבי [10007](order_id)")
    redacted = redact(plain, "he")
    assert "1234567" not in redacted.text
    assert [redacted.text[s["start"]:s["end"]] for s in through_redaction(spans, redacted)] == ["19001"]
