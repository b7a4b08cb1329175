"""Generated bad input: 1,000+ hypothesis-made requests against the app, and not one 5xx answer."""

import json
import uuid

import pytest
from companion_testkit import make_client, token_headers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = 1_200
VALID = {
    "/v1/check": {"platform": "x", "action": "like", "post": {"author_handle": "prabowo",
                  "text": "Mari dukung", "hashtags": ["a"], "mentions": ["b"]},
                  "draft_text": None, "lang": "id"},
    "/v1/acknowledgements": {"ack_id": str(uuid.uuid4()), "check_id": None, "platform": "x",
                             "action": "like", "outcome": "proceeded", "entity_ids": ["e"],
                             "bundle_id": "b", "rules_version": 1,
                             "occurred_at": "2024-01-10T08:00:00Z", "justification": None},
    "/v1/pact/acceptance": {"pact_id": "p", "name": "n", "nip": "198001012005011001"},
    "/v1/pair": {"code": "AAAA-AAAA"},
}
VALID["/v1/check/batch"] = {"items": [VALID["/v1/check"]]}
GETS = ["/v1/health", "/v1/status", "/v1/acknowledgements", "/v1/acknowledgements/verify",
        "/v1/rules/selectors", "/v1/nothing-here"]

text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(categories=["Cs", "Co", "Cf", "Mn", "Zs"]),
            max_size=20),  # lone surrogates, private use, zero-width, combining marks
    st.sampled_from(["", "x", "like", "proceeded", "2024-13-45T99:00:00Z",
                     "9999-12-31T23:59:59-10:00", "\x00", "Ｐｒａｂｏｗｏ", "null", "-1", "1e309"]),
    st.integers(min_value=1, max_value=30_000).map(lambda n: "a" * n),
)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False) | text,
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(text, children, max_size=5),
    max_leaves=20,
)


def url_safe(value: str) -> str:
    """Query strings travel as UTF-8, so lone surrogates cannot be sent there at all; and the
    client itself refuses a query over 64 KiB, so a value stays well under that."""
    return value.encode("utf-8", "replace").decode("utf-8")[:2000]  # ≤ 3 × 2000 × 9 bytes


@st.composite
def mutated(draw, body: dict) -> dict:
    """A valid body with one field dropped, retyped, or an extra field; possibly nested."""
    body = json.loads(json.dumps(body))
    target = body
    if "post" in body and draw(st.booleans()):
        target = body["post"]
    key = draw(st.sampled_from(sorted(target)))
    change = draw(st.sampled_from(["drop", "retype", "extra"]))
    if change == "drop":
        del target[key]
    elif change == "retype":
        target[key] = draw(json_value)
    else:
        target[draw(text)] = draw(json_value)
    return body


@st.composite
def requests(draw):
    if draw(st.integers(0, 4)) == 0:
        path = draw(st.sampled_from(GETS))
        params = draw(st.dictionaries(
            st.sampled_from(["after_seq", "limit", "platform", "x"]),
            st.one_of(text, st.integers(-(2**70), 2**70).map(str)).map(url_safe), max_size=3))
        return "GET", path, params, None
    path = draw(st.sampled_from(sorted(VALID)))
    kind = draw(st.sampled_from(["mutated", "mutated", "json", "bytes", "truncated"]))
    if kind == "mutated":
        content = json.dumps(draw(mutated(VALID[path]))).encode()
    elif kind == "json":
        content = json.dumps(draw(json_value)).encode()
    elif kind == "bytes":
        content = draw(st.binary(max_size=200))
    else:
        full = json.dumps(VALID[path]).encode()
        content = full[: draw(st.integers(0, len(full) - 1))]
    return "POST", path, {}, content


@pytest.fixture(scope="module")
def app(tmp_path_factory, signer):
    tmp = tmp_path_factory.mktemp("generated")
    with make_client(tmp / "data", rules=[signer.bundle(tmp, 1)],
                     trusted_keys=signer.trusted_keys) as client:
        client.headers.update(token_headers(tmp / "data"))
        client.headers["Content-Type"] = "application/json"
        yield client


def test_1000_generated_requests_never_5xx(app):
    sent = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(requests())
    def one(request):
        method, path, params, content = request
        answer = app.request(method, path, params=params, content=content)
        sent.append(answer.status_code)
        assert answer.status_code < 500, (method, path, params, content[:300] if content else None)

    one()
    print(f"{len(sent)} generated requests, status codes {sorted(set(sent))}, no 5xx")
    assert len(sent) >= 1_000
