"""The connectors send the platforms' documented request shapes (to loopback fakes), and say which failures
are worth a retry. No store involved: a connector is handed a case and a text.
"""

from __future__ import annotations

import socket
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from flows.reviews.connectors import (
    ConnectorError,
    GoogleBusinessProfileConnector,
    PublishResult,
    TrustpilotConnector,
)
from models import ReviewCase
from tests.reviews.fakes import (
    GOOGLE_ACCOUNT,
    GOOGLE_LOCATION,
    GOOGLE_TOKEN,
    TRUSTPILOT_BUSINESS_USER,
    TRUSTPILOT_TOKEN,
    FakePlatform,
)

TEXT = "Bonjour,\n\nNous n'avons trouvé aucun séjour à ce nom — écrivez-nous.\n\nHôtel des Lilas"


def case(platform: str, review_id: str) -> ReviewCase:
    return ReviewCase(platform=platform, review_id=review_id, url=f"https://example.test/{platform}/review")


def test_google_puts_the_review_reply_with_a_bearer_token(
    fake_google: FakePlatform, google_connector: GoogleBusinessProfileConnector
) -> None:
    result = google_connector.publish(case("google", "AbC-123_x"), TEXT)

    [sent] = fake_google.calls
    assert sent.method == "PUT"
    assert sent.path == f"/v4/accounts/{GOOGLE_ACCOUNT}/locations/{GOOGLE_LOCATION}/reviews/AbC-123_x/reply"
    assert sent.headers["Authorization"] == f"Bearer {GOOGLE_TOKEN}"
    assert sent.headers["Content-Type"] == "application/json; charset=utf-8"
    assert sent.headers["Accept"] == "application/json"
    assert sent.json == {"comment": TEXT}
    assert result == PublishResult(
        reference=f"accounts/{GOOGLE_ACCOUNT}/locations/{GOOGLE_LOCATION}/reviews/AbC-123_x/reply",
        url="https://example.test/google/review",
    )


def test_google_uses_the_review_s_own_resource_name_when_the_case_has_it(
    fake_google: FakePlatform, google_connector: GoogleBusinessProfileConnector
) -> None:
    google_connector.publish(case("google", "accounts/111/locations/222/reviews/333"), TEXT)
    assert fake_google.calls[0].path == "/v4/accounts/111/locations/222/reviews/333/reply"


def test_trustpilot_posts_the_reply_as_the_business_user(
    fake_trustpilot: FakePlatform, trustpilot_connector: TrustpilotConnector
) -> None:
    result = trustpilot_connector.publish(case("trustpilot", "6751c0ffee1234567890abcd"), TEXT)

    [sent] = fake_trustpilot.calls
    assert sent.method == "POST"
    assert sent.path == "/v1/private/reviews/6751c0ffee1234567890abcd/reply"
    assert sent.headers["Authorization"] == f"Bearer {TRUSTPILOT_TOKEN}"
    assert sent.headers["Content-Type"] == "application/json; charset=utf-8"
    assert sent.json == {"authorBusinessUserId": TRUSTPILOT_BUSINESS_USER, "message": TEXT}
    assert result == PublishResult(
        reference="6751c0ffee1234567890abcd", url="https://example.test/trustpilot/review"
    )


@pytest.mark.parametrize(
    "status, retryable, words",
    [
        (400, False, "400 Bad Request"),
        (403, False, "403 Forbidden"),
        (404, False, "404 Not Found"),
        (429, True, "429 Too Many Requests"),
        (500, True, "500 Internal Server Error"),
        (503, True, "503 Service Unavailable"),
        (302, False, "302 Found"),
    ],
)
def test_a_refusal_says_whether_a_retry_may_help(
    fake_trustpilot: FakePlatform,
    trustpilot_connector: TrustpilotConnector,
    status: int,
    retryable: bool,
    words: str,
) -> None:
    fake_trustpilot.fail_next(status, '{"message": "nope"}')
    with pytest.raises(ConnectorError) as raised:
        trustpilot_connector.publish(case("trustpilot", "abc123"), TEXT)
    assert raised.value.retryable is retryable
    assert words in str(raised.value) and '{"message": "nope"}' in str(raised.value)


def test_bad_credentials_are_not_retried_and_the_token_never_appears_in_the_error(
    fake_google: FakePlatform,
) -> None:
    wrong = GoogleBusinessProfileConnector(
        access_token="ya29.wrong-token", account_id="1", location_id="2", base_url=fake_google.base_url
    )
    with pytest.raises(ConnectorError) as raised:
        wrong.publish(case("google", "r1"), TEXT)
    assert not raised.value.retryable
    assert "401 Unauthorized" in str(raised.value) and "ya29" not in str(raised.value)


def test_an_unreachable_platform_is_worth_a_retry() -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    connector = TrustpilotConnector(
        access_token="t", business_user_id="u", base_url=f"http://127.0.0.1:{port}", timeout=2
    )
    with pytest.raises(ConnectorError, match="cannot reach 127.0.0.1") as raised:
        connector.publish(case("trustpilot", "abc"), TEXT)
    assert raised.value.retryable


def test_a_platform_that_does_not_answer_in_time_is_worth_a_retry(httpserver: HTTPServer) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response(status=201)

    httpserver.expect_request("/v1/private/reviews/abc/reply").respond_with_handler(slow)
    connector = TrustpilotConnector(
        access_token="t", business_user_id="u", base_url=httpserver.url_for("").rstrip("/"), timeout=0.2
    )
    with pytest.raises(ConnectorError, match=r"no answer from .* within 0.2 s") as raised:
        connector.publish(case("trustpilot", "abc"), TEXT)
    assert raised.value.retryable


@pytest.mark.parametrize("review_id", ["../../admin", "..", "a/b", "a?x=1", "a b", "", "x" * 201])
def test_an_id_that_would_change_the_request_s_path_is_refused_before_sending(
    fake_trustpilot: FakePlatform,
    fake_google: FakePlatform,
    trustpilot_connector: TrustpilotConnector,
    google_connector: GoogleBusinessProfileConnector,
    review_id: str,
) -> None:
    for connector, platform in ((trustpilot_connector, "trustpilot"), (google_connector, "google")):
        with pytest.raises(ConnectorError, match="is not an id the platform issues") as raised:
            connector.publish(case(platform, review_id), TEXT)
        assert not raised.value.retryable
    assert fake_trustpilot.calls == [] and fake_google.calls == []
