"""The intake API as a monitoring tool sees it: what is accepted, what is refused, and what is stored."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from cellule.web import ApiCredentials
from cellule.web.intake import MAX_BATCH_SIGNALS, MAX_SIGNAL_BYTES
from models import AttackType, InboundAction, Incident, Signal, transaction
from tests.web.scenario import (
    BEARER,
    REVIEW,
    SIGNING_SECRET,
    TOKEN,
    as_json,
    build_client,
    signed,
    store_counts,
)

JSON = {"Content-Type": "application/json"}


def post(client, path="/api/v1/signals", data=None, *, content=None, headers=None):
    body = as_json(data) if content is None else content
    return client.post(path, content=body, headers={**BEARER, **JSON, **(headers or {})})


# ── Accepted ────────────────────────────────────────────────────────────────────────────────────────────


def test_a_posted_signal_opens_an_incident_and_starts_the_protocol_for_it(client, hotel, trigger):
    response = post(client, data=REVIEW)

    assert response.status_code == 201
    outcome = response.json()
    assert outcome["new_signal"] is True and outcome["opened"] is True
    assert outcome["incident_ref"].startswith("CRI-")
    with transaction(hotel) as session:
        signal = session.get_one(Signal, outcome["signal_id"])
        incident = session.get_one(Incident, signal.incident_id)
        assert (signal.source, signal.text, incident.ref) == ("api", REVIEW["text"], outcome["incident_ref"])
    assert trigger.incident_ids == [incident.id]


def test_sending_the_same_signal_again_answers_the_same_incident_and_alerts_nobody(client, hotel, trigger):
    first = post(client, data=REVIEW).json()
    before = store_counts(hotel)

    again = post(client, data=REVIEW | {"text": "Chambre sale (copié deux fois)."})  # same platform and id

    assert again.status_code == 200
    assert again.json() == first | {"new_signal": False, "opened": False}
    assert store_counts(hotel) == before
    assert len(trigger.calls) == 1


def test_a_signed_request_is_accepted(client, hotel, trigger):
    body = as_json(REVIEW)
    response = client.post("/api/v1/signals", content=body, headers=signed(body))
    assert response.status_code == 201 and response.json()["new_signal"] is True
    with transaction(hotel) as session:
        assert session.scalars(select(InboundAction.source)).all() == ["api"]
    assert len(trigger.calls) == 1


def test_a_second_token_is_accepted_so_tokens_can_be_rotated(hotel, trigger):
    newer = "another-token-abcdefghijklmnop"
    client = build_client(hotel, trigger, ApiCredentials(tokens=(TOKEN, newer)))
    response = client.post(
        "/api/v1/signals", content=as_json(REVIEW), headers={"Authorization": f"Bearer {newer}", **JSON}
    )
    assert response.status_code == 201


def test_a_batch_stores_every_signal_and_starts_the_protocol_once_per_report(client, hotel, trigger):
    signals = [REVIEW | {"external_id": f"g-{n}", "text": f"Avis {n}"} for n in range(3)]
    response = post(client, "/api/v1/signals/batch", {"signals": signals})

    assert response.status_code == 201
    outcomes = response.json()["signals"]
    assert [o["opened"] for o in outcomes] == [True, False, False]
    assert len({o["incident_ref"] for o in outcomes}) == 1
    assert store_counts(hotel)["signals"] == 3
    assert len(trigger.calls) == 1 and len(trigger.calls[0]) == 3


def test_five_reviews_in_one_batch_make_one_review_bombing_incident(client, hotel):
    reviews = [
        REVIEW
        | {
            "external_id": f"g-{n}",
            "text": f"Horrible, à fuir ({n})",
            "observed_at": f"2025-03-01T10:{n}0:00Z",  # five within the kit's two hours
        }
        for n in range(5)
    ]
    response = post(client, "/api/v1/signals/batch", {"signals": reviews})

    assert response.status_code == 201
    assert len({o["incident_ref"] for o in response.json()["signals"]}) == 1
    with transaction(hotel) as session:
        [incident] = session.scalars(select(Incident)).all()
        assert incident.attack_type == AttackType.REVIEW_BOMBING


def test_a_batch_sent_again_is_answered_200_and_starts_nothing(client, hotel, trigger):
    batch = {"signals": [REVIEW, REVIEW | {"external_id": "g-10", "text": "Autre avis"}]}
    post(client, "/api/v1/signals/batch", batch)
    again = post(client, "/api/v1/signals/batch", batch)
    assert again.status_code == 200
    assert [o["new_signal"] for o in again.json()["signals"]] == [False, False]
    assert len(trigger.calls) == 1


# ── Refused: credentials ────────────────────────────────────────────────────────────────────────────────


def _wrong_signature(body: bytes) -> dict[str, str]:
    return signed(body, secret="not-the-signing-secret-at-all")


def _stale(body: bytes) -> dict[str, str]:
    return signed(body, timestamp=int(time.time()) - 600)


def _from_the_future(body: bytes) -> dict[str, str]:
    return signed(body, timestamp=int(time.time()) + 600)


def _signed_for_another_body(body: bytes) -> dict[str, str]:
    return signed(body + b" ")


def _garbled_signature(body: bytes) -> dict[str, str]:
    return signed(body) | {"X-Cellule-Signature": "md5=abc", "X-Cellule-Timestamp": "yesterday"}


@pytest.mark.parametrize(
    ("headers_for", "reason"),
    [
        pytest.param(lambda body: JSON, "no credentials", id="none"),
        pytest.param(
            lambda body: JSON | {"Authorization": "Bearer wrong-token"}, "unknown bearer", id="wrong-token"
        ),
        pytest.param(
            lambda body: JSON | {"Authorization": f"Basic {TOKEN}"}, "Bearer <token>", id="not-bearer"
        ),
        pytest.param(_wrong_signature, "does not match", id="wrong-signature"),
        pytest.param(_signed_for_another_body, "does not match", id="signature-of-another-body"),
        pytest.param(_stale, "5 minutes", id="stale-timestamp"),
        pytest.param(_from_the_future, "5 minutes", id="future-timestamp"),
        pytest.param(_garbled_signature, "sha256=<hex>", id="garbled-signature"),
    ],
)
def test_requests_without_valid_credentials_are_refused_and_store_nothing(
    client, hotel, trigger, headers_for, reason
):
    body = as_json(REVIEW)
    before = store_counts(hotel)

    response = client.post("/api/v1/signals", content=body, headers=headers_for(body))

    assert response.status_code == 401
    assert reason in response.json()["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert store_counts(hotel) == before
    assert trigger.calls == []


def test_a_replayed_signed_request_is_refused_and_applies_nothing(client, hotel, trigger):
    body = as_json(REVIEW)
    headers = signed(body)
    assert client.post("/api/v1/signals", content=body, headers=headers).status_code == 201
    before = store_counts(hotel)

    replay = client.post("/api/v1/signals", content=body, headers=headers)

    assert replay.status_code == 409 and "already received" in replay.json()["detail"]
    assert store_counts(hotel) == before
    assert len(trigger.calls) == 1


def test_a_retry_signed_again_is_answered_like_a_repost(client, hotel, trigger):
    body = as_json(REVIEW)
    first = client.post("/api/v1/signals", content=body, headers=signed(body, timestamp=int(time.time()) - 1))
    retry = client.post("/api/v1/signals", content=body, headers=signed(body))
    assert retry.status_code == 200
    assert retry.json() == first.json() | {"new_signal": False, "opened": False}
    assert len(trigger.calls) == 1


@pytest.mark.parametrize(
    ("credentials", "headers_for"),
    [
        pytest.param(
            ApiCredentials(signing_secret=SIGNING_SECRET), lambda body: BEARER, id="token-not-configured"
        ),
        pytest.param(ApiCredentials(tokens=(TOKEN,)), signed, id="signing-not-configured"),
    ],
)
def test_a_way_of_authenticating_that_is_not_configured_is_refused(hotel, trigger, credentials, headers_for):
    client = build_client(hotel, trigger, credentials)
    body = as_json(REVIEW)
    response = client.post("/api/v1/signals", content=body, headers={**JSON, **headers_for(body)})
    assert response.status_code == 401 and "not accepted here" in response.json()["detail"]
    assert store_counts(hotel)["signals"] == 0


@pytest.mark.parametrize("path", ["/api/v1/signals", "/api/v1/signals/batch"])
def test_with_no_token_and_no_secret_configured_the_api_refuses_everything(hotel, trigger, path):
    client = build_client(hotel, trigger, ApiCredentials())
    body = as_json({"signals": [REVIEW]} if path.endswith("batch") else REVIEW)
    response = client.post(path, content=body, headers={**BEARER, **JSON})
    assert response.status_code == 503
    assert "CELLULE_API_TOKENS" in response.json()["detail"]
    assert store_counts(hotel)["signals"] == 0


# ── Refused: what was sent ──────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("content", "headers", "status", "reason"),
    [
        pytest.param(b'{"target": "Lilas",', JSON, 400, "not valid JSON", id="truncated-json"),
        pytest.param(b"", JSON, 400, "not valid JSON", id="empty-body"),
        pytest.param(b'{"target": "L\xe9las"}', JSON, 400, "not valid UTF-8", id="latin-1"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, JSON, 400, "cannot read", id="nested-too-deep"),
        pytest.param(
            as_json(REVIEW), {"Content-Type": "text/plain"}, 415, "application/json", id="text-plain"
        ),
        pytest.param(
            b"target=Lilas&text=sale",
            {"Content-Type": "application/x-www-form-urlencoded"},
            415,
            "application/json",
            id="form",
        ),
        pytest.param(
            as_json(REVIEW), {"Content-Type": "application/json; charset=latin-1"}, 415, "UTF-8", id="charset"
        ),
        pytest.param(
            as_json(REVIEW | {"text": "x" * MAX_SIGNAL_BYTES}), JSON, 413, "at most 1,000,000", id="too-large"
        ),
    ],
)
def test_malformed_requests_are_refused_with_a_reason_and_store_nothing(
    client, hotel, trigger, content, headers, status, reason
):
    before = store_counts(hotel)
    response = client.post("/api/v1/signals", content=content, headers={**BEARER, **headers})
    assert response.status_code == status
    assert reason in response.json()["detail"]
    assert store_counts(hotel) == before
    assert trigger.calls == []


def test_a_body_larger_than_it_says_is_refused_while_it_streams(client, hotel):
    chunks = (b" " * 100_000 for _ in range(11))  # sent chunked: no Content-Length to trust
    response = client.post("/api/v1/signals", content=chunks, headers={**BEARER, **JSON})
    assert response.status_code == 413
    assert store_counts(hotel)["signals"] == 0


def test_a_content_length_over_the_limit_is_refused_before_reading(client):
    response = client.post(
        "/api/v1/signals/batch", content=b"{}", headers={**BEARER, **JSON, "Content-Length": "6000000"}
    )
    assert response.status_code == 413 and "5,000,000" in response.json()["detail"]


@pytest.mark.parametrize(
    ("report", "field", "message"),
    [
        pytest.param(REVIEW | {"text": "   "}, "text", "is empty", id="empty-text"),
        pytest.param(REVIEW | {"rating": 9}, "rating", "less than or equal to 5", id="rating"),
        pytest.param(REVIEW | {"colour": "red"}, "colour", "Extra inputs", id="unknown-field"),
        pytest.param(REVIEW | {"url": "javascript:alert(1)"}, "url", "should match pattern", id="url"),
        pytest.param(
            REVIEW | {"observed_at": "2025-03-01T10:00:00"}, "observed_at", "timezone", id="naive-time"
        ),
        pytest.param(
            REVIEW | {"observed_at": "0001-01-01T00:00:00+01:00"}, "observed_at", "greater", id="year-1"
        ),
        pytest.param(REVIEW | {"reach": 2**40}, "reach", "less than or equal", id="reach-overflow"),
        pytest.param({"text": "no target"}, "target", "Field required", id="no-target"),
    ],
)
def test_invalid_fields_are_refused_with_readable_reasons(client, hotel, trigger, report, field, message):
    response = post(client, data=report)

    assert response.status_code == 422
    problem = response.json()
    assert f"{field}: " in problem["detail"] and message in problem["detail"]
    assert any(e["loc"] == [field] and message in e["msg"] for e in problem["errors"])
    assert "Value error," not in problem["detail"]
    assert store_counts(hotel)["signals"] == 0
    assert trigger.calls == []


def test_a_batch_with_one_bad_signal_stores_none_of_them(client, hotel, trigger):
    good = [REVIEW | {"external_id": f"g-{n}", "text": f"Avis {n}"} for n in range(3)]
    before = store_counts(hotel)

    response = post(client, "/api/v1/signals/batch", {"signals": [*good, REVIEW | {"rating": 0}]})

    assert response.status_code == 422
    assert "signals.3.rating" in response.json()["detail"]
    assert store_counts(hotel) == before
    assert trigger.calls == []


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        pytest.param({"signals": []}, "at least 1", id="empty"),
        pytest.param({"signals": [REVIEW] * (MAX_BATCH_SIGNALS + 1)}, "at most 500", id="too-many"),
        pytest.param([REVIEW], "valid dictionary", id="bare-list"),
        pytest.param({"signals": ["not an object"]}, "signals.0", id="not-an-object"),
    ],
)
def test_a_batch_of_the_wrong_shape_is_refused(client, hotel, batch, message):
    response = post(client, "/api/v1/signals/batch", batch)
    assert response.status_code == 422 and message in response.json()["detail"]
    assert store_counts(hotel)["signals"] == 0


def test_with_no_kit_loaded_a_report_is_refused_with_what_to_do(sessions, trigger):
    client = build_client(sessions, trigger)  # an empty store: no kit
    response = post(client, data=REVIEW)
    assert response.status_code == 409
    assert "cellule kit load" in response.json()["detail"]
    assert store_counts(sessions)["signals"] == 0
    assert trigger.calls == []


def test_a_refused_signed_request_can_be_sent_again_once_fixed(sessions, trigger):
    """A request refused for want of a kit leaves no receipt behind: the same signature works later."""
    from tests.scenarios.hotel import load_hotel_kit

    client = build_client(sessions, trigger)
    body = as_json(REVIEW)
    headers = signed(body)
    assert client.post("/api/v1/signals", content=body, headers=headers).status_code == 409
    load_hotel_kit(sessions)
    assert client.post("/api/v1/signals", content=body, headers=headers).status_code == 201


def test_unknown_paths_and_methods_answer_4xx(client):
    assert client.get("/api/v1/signals", headers=BEARER).status_code == 405
    assert client.post("/api/v2/signals", headers=BEARER).status_code == 404


def test_the_openapi_schema_describes_the_endpoints_and_how_to_authenticate(client):
    schema = client.get("/api/v1/openapi.json").json()
    single = schema["paths"]["/api/v1/signals"]["post"]
    assert single["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("SignalReportV1")
    assert {"200", "201", "400", "401", "409", "413", "415", "422", "503"} <= set(single["responses"])
    assert "/api/v1/signals/batch" in schema["paths"]
    assert set(schema["components"]["securitySchemes"]) == {"bearerToken", "signature", "signatureTimestamp"}
    assert "/slack/interactivity" not in schema["paths"]
    target = schema["components"]["schemas"]["SignalReportV1"]["properties"]["target"]
    assert target["description"].startswith("What is attacked")


def test_tokens_are_never_in_the_app_s_representation():
    credentials = ApiCredentials(tokens=(TOKEN,), signing_secret=SIGNING_SECRET)
    assert TOKEN not in repr(credentials) and SIGNING_SECRET not in repr(credentials)
