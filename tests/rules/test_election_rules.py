"""Elections and time, texts in several languages, bounded answers (the specs' new sections).

Each rule of the spec's new sections is tried with a post that matches when the rule allows it
and one instant, field or entity that makes the rule refuse it.
"""

import copy
import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from companion.rules.bundle import BundleRejected, parse_payload, verify_bundle
from companion.rules.matcher import MAX_BODY, MAX_MATCHES, MAX_VALUES, Matcher

WIB = timezone(timedelta(hours=7))
CAMPAIGN_FROM = datetime(2023, 11, 28, tzinfo=WIB)
QUIET_FROM = datetime(2024, 2, 11, tzinfo=WIB)
QUIET_UNTIL = datetime(2024, 2, 14, tzinfo=WIB)
IN_CAMPAIGN = datetime(2024, 1, 15, 10, tzinfo=WIB)
TODAY = datetime(2026, 12, 1, tzinfo=UTC)
SECOND = timedelta(seconds=1)

PEMILU_2024 = {
    "id": "pemilu-2024", "kind": "pemilu", "basis": "PKPU 3/2022", "regions": ["*"],
    "name": {"id": "Pemilu 2024", "en": "2024 General Election"},
    "stages": [
        {"id": "kampanye", "name": {"id": "Masa kampanye", "en": "Campaign period"},
         "from": "2023-11-28T00:00:00+07:00", "until": "2024-02-11T00:00:00+07:00",
         "policy": {"share": "block"}},
        {"id": "masa-tenang", "name": "Masa tenang",
         "from": "2024-02-11T00:00:00+07:00", "until": "2024-02-14T00:00:00+07:00"},
    ],
}
PEMILU_2029 = {"id": "pemilu-2029", "kind": "pemilu",
               "name": {"id": "Pemilu 2029", "en": "2029 General Election"}, "stages": []}
MESSAGES = {
    "id": {"title": "Perhatian", "body": "{entities} · {election} · {stage} · {action}"},
    "en": {"title": "Careful", "body": "{entities} · {election} · {stage} · {action}"},
}


def bundle(*entities: dict, elections=(PEMILU_2024, PEMILU_2029), **top) -> dict:
    """A payload with the given elections and entities (defaults: the 2024 pair, tied to 2024)."""
    return {
        "format": "netral-rules/1", "bundle_id": "test", "version": 1,
        "issued_at": "2023-01-01T00:00:00Z", "expires_at": "2099-01-01T00:00:00Z",
        "pact": {"id": "p", "title": "Pakta", "text": "Saya netral."},
        "legal_refs": [{"id": "skb", "title": "SKB 2022", "summary": "Ringkasan.",
                        "sanction": "Sanksi.", "url": "https://example.invalid/skb",
                        "i18n": {"en": {"title": "Joint Decree 2022", "summary": "Summary."}}}],
        "policy": {"like": "warn", "comment": "allow"},
        "messages": copy.deepcopy(MESSAGES),
        "context_words": ["coblos"],
        "elections": copy.deepcopy(list(elections)),
        "entities": list(entities) or [pair()],
    } | top


def pair(**fields) -> dict:
    return {"id": "paslon-02", "kind": "candidate_pair", "name": "Prabowo – Gibran",
            "names": ["prabowo"], "weak_names": ["gibran"], "accounts": {"x": ["prabowo"]},
            "elections": ["pemilu-2024"]} | fields


def party(**fields) -> dict:
    return {"id": "pdip", "kind": "party", "name": "PDI Perjuangan",
            "names": ["ganjar pranowo", "pdi perjuangan"], "elections": ["pemilu-2024"]} | fields


def verdict(matcher: Matcher, text: str, at: datetime, action: str = "like", **post) -> str:
    return matcher.match(platform="x", action=action, post={"text": text, **post}, at=at).verdict


# --- which entities count, and when --------------------------------------------------------


def test_a_bundle_without_elections_behaves_as_before_at_any_instant(example) -> None:
    matcher = Matcher.from_bundle(example())
    far = (datetime(2001, 1, 1, tzinfo=UTC), datetime(2090, 1, 1, tzinfo=UTC))
    for at in (*far, IN_CAMPAIGN, TODAY):
        assert verdict(matcher, "Mari dukung PR4BOWO!", at) == "warn"
        assert verdict(matcher, "Kata Gibran, cinta itu memberi", at) == "allow"
        result = matcher.match(platform="x", action="like", post={"text": "prabowo"}, at=at)
        assert result.matches[0].election is None


def test_an_entity_counts_only_inside_a_stage_of_its_election_half_open() -> None:
    matcher = Matcher.from_bundle(bundle())
    assert verdict(matcher, "prabowo", CAMPAIGN_FROM - SECOND) == "allow"
    assert verdict(matcher, "prabowo", CAMPAIGN_FROM) == "warn"  # [from
    assert verdict(matcher, "prabowo", QUIET_FROM) == "warn"  # the next stage takes over
    assert verdict(matcher, "prabowo", QUIET_UNTIL - SECOND) == "warn"
    assert verdict(matcher, "prabowo", QUIET_UNTIL) == "allow"  # until)
    assert verdict(matcher, "prabowo", TODAY) == "allow"
    assert verdict(matcher, "", TODAY, author_handle="prabowo") == "allow"  # accounts too


def test_an_election_without_stages_is_never_active() -> None:
    matcher = Matcher.from_bundle(bundle(pair(elections=["pemilu-2029"])))
    for at in (IN_CAMPAIGN, TODAY, datetime(2029, 2, 14, tzinfo=WIB)):
        assert verdict(matcher, "prabowo", at) == "allow"


def test_an_entity_window_bounds_its_elections_and_stands_alone_without_them() -> None:
    until = "2024-01-01T00:00:00+07:00"
    team = pair(id="tkn", names=["tkn prabowo gibran"], active_until=until)
    since = party(id="new", names=["partai baru"], elections=None, active_from=until)
    matcher = Matcher.from_bundle(bundle(team, since))
    cut = datetime(2024, 1, 1, tzinfo=WIB)
    assert verdict(matcher, "TKN Prabowo Gibran", cut - SECOND) == "warn"
    assert verdict(matcher, "TKN Prabowo Gibran", cut) == "allow"  # stage runs, window closed
    assert verdict(matcher, "Partai Baru", cut - SECOND) == "allow"  # no elections: window only
    assert verdict(matcher, "Partai Baru", cut) == "warn"
    assert verdict(matcher, "Partai Baru", TODAY) == "warn"


def test_an_inactive_entity_does_not_confirm_another_entitys_weak_name() -> None:
    pemilu_2019 = {"id": "pemilu-2019", "stages": [
        {"id": "kampanye", "from": "2018-09-23T00:00:00+07:00",
         "until": "2019-04-14T00:00:00+07:00"}]}
    old_party = party(elections=["pemilu-2019"])
    matcher = Matcher.from_bundle(bundle(pair(), old_party, elections=[PEMILU_2024, pemilu_2019]))
    # "gibran" is weak; Ganjar Pranowo is a strong name of an entity that is not active now.
    assert verdict(matcher, "Gibran dan Ganjar Pranowo", IN_CAMPAIGN) == "allow"
    both = Matcher.from_bundle(bundle(pair(), party()))
    result = both.match(platform="x", action="like", post={"text": "Gibran dan Ganjar Pranowo"},
                        at=IN_CAMPAIGN)
    assert [m.entity_id for m in result.matches] == ["pdip", "paslon-02"]


# --- policy: entity, stage, bundle, warn -----------------------------------------------------


def test_policy_is_the_first_defined_of_entity_stage_bundle_and_warn() -> None:
    own = pair(id="own", names=["anies"], policy={"share": "warn", "post": "block"})
    matcher = Matcher.from_bundle(bundle(pair(), own))
    assert verdict(matcher, "prabowo", IN_CAMPAIGN, "share") == "block"  # the stage's
    assert verdict(matcher, "prabowo", QUIET_FROM, "share") == "warn"  # quiet stage: bundle none
    assert verdict(matcher, "anies", IN_CAMPAIGN, "share") == "warn"  # the entity's over the stage
    assert verdict(matcher, "anies", IN_CAMPAIGN, "post") == "block"
    assert verdict(matcher, "prabowo", IN_CAMPAIGN, "comment") == "allow"  # the bundle's
    assert verdict(matcher, "prabowo", IN_CAMPAIGN, "follow") == "warn"  # nothing names it


def test_active_in_several_elections_at_once_the_most_severe_applies() -> None:
    lenient = {"id": "psu", "stages": [{"id": "psu", "from": "2024-01-01T00:00:00+07:00",
                                        "until": "2024-03-01T00:00:00+07:00",
                                        "policy": {"like": "allow", "share": "allow"}}]}
    strict = {"id": "ulang", "stages": [{"id": "ulang", "from": "2024-01-10T00:00:00+07:00",
                                         "until": "2024-01-20T00:00:00+07:00",
                                         "policy": {"like": "block"}}]}
    both = pair(elections=["psu", "ulang"])
    matcher = Matcher.from_bundle(bundle(both, elections=[lenient, strict]))
    assert verdict(matcher, "prabowo", datetime(2024, 1, 5, tzinfo=WIB)) == "allow"  # psu only
    assert verdict(matcher, "prabowo", IN_CAMPAIGN) == "block"  # both run
    # Share: psu's stage allows it, ulang's names nothing, so the bundle's default (warn) wins.
    assert verdict(matcher, "prabowo", IN_CAMPAIGN, "share") == "warn"
    result = matcher.match(platform="x", action="like", post={"text": "prabowo"}, at=IN_CAMPAIGN)
    assert result.matches[0].election["id"] == "psu"  # the first running one is named


# --- what an answer says -------------------------------------------------------------------


def test_each_match_names_its_election_and_stage_in_the_language_asked() -> None:
    matcher = Matcher.from_bundle(bundle())
    at = IN_CAMPAIGN
    result = matcher.match(platform="x", action="like", post={"text": "prabowo"}, at=at,
                           lang="en")
    assert result.matches[0].election == {
        "id": "pemilu-2024", "name": "2024 General Election",
        "stage": {"id": "kampanye", "name": "Campaign period",
                  "until": "2024-02-11T00:00:00+07:00"},
    }
    body = "Prabowo – Gibran · 2024 General Election · Campaign period · like"
    assert result.message["body"] == body
    quiet = matcher.match(platform="x", action="share", post={"text": "prabowo"}, at=QUIET_FROM,
                          lang="en")
    # A plain-string name serves every language; a missing language falls back to id.
    assert quiet.matches[0].election["stage"]["name"] == "Masa tenang"
    fr = matcher.match(platform="x", action="like", post={"text": "prabowo"}, at=at, lang="fr")
    assert fr.matches[0].election["name"] == "Pemilu 2024"
    assert fr.message["body"] == "Prabowo – Gibran · Pemilu 2024 · Masa kampanye · menyukai"


def test_a_match_body_is_its_asdict_and_a_copy_of_the_election() -> None:
    """body() is what dataclasses.asdict gave (the answer's shape), without sharing the
    timeline's election: an answer changed by its reader changes no later answer."""
    matcher = Matcher.from_bundle(bundle())
    post = {"text": "prabowo dan gibran", "author_handle": "prabowo"}
    match = matcher.match(platform="x", action="like", post=post, at=IN_CAMPAIGN).matches[0]
    body = match.body()
    as_json = json.loads(json.dumps(dataclasses.asdict(match)))  # its tuples as lists
    assert body == as_json and list(body) == list(as_json)
    assert [s["type"] for s in body["signals"]] == ["account", "name", "weak_name"]
    body["election"]["stage"]["name"] = "changed"
    body["election"]["name"] = "changed"
    again = matcher.match(platform="x", action="like", post=post, at=IN_CAMPAIGN).matches[0]
    assert again.election["name"] == "Pemilu 2024"
    assert again.election["stage"]["name"] == "Masa kampanye"


def test_election_and_stage_placeholders_are_empty_for_an_always_active_entity(example) -> None:
    payload = example()
    payload["messages"] = copy.deepcopy(MESSAGES)
    result = Matcher.from_bundle(payload).match(platform="x", action="like",
                                                post={"text": "prabowo"}, at=TODAY)
    assert result.message["body"] == "Prabowo Subianto – Gibran Rakabuming Raka ·  ·  · menyukai"


def test_a_name_holding_a_placeholder_is_not_filled_in_turn() -> None:
    matcher = Matcher.from_bundle(bundle(pair(name="Si {action} {stage}")))
    result = matcher.match(platform="x", action="like", post={"text": "prabowo"}, at=IN_CAMPAIGN)
    assert result.message["body"].startswith("Si {action} {stage} · Pemilu 2024")


def test_legal_refs_are_translated_field_by_field_and_carry_no_i18n() -> None:
    matcher = Matcher.from_bundle(bundle())
    en = matcher.match(platform="x", action="like", post={"text": "prabowo"}, at=IN_CAMPAIGN,
                       lang="en").legal_refs[0]
    assert en == {"id": "skb", "title": "Joint Decree 2022", "summary": "Summary.",
                  "sanction": "Sanksi.", "url": "https://example.invalid/skb"}  # sanction: base
    base = matcher.match(platform="x", action="like", post={"text": "prabowo"}, at=IN_CAMPAIGN,
                         lang="fr").legal_refs[0]
    assert (base["title"], base["summary"], "i18n" in base) == ("SKB 2022", "Ringkasan.", False)


def test_answers_stay_bounded_and_the_verdict_counts_every_match() -> None:
    crowd = [
        {"id": f"caleg-{i:02d}", "kind": "candidate", "name": f"Budi {i}", "weak_names": ["budi"],
         "elections": ["pemilu-2024"], "policy": {"like": "block"} if i == 29 else {}}
        for i in range(30)
    ]
    strong = pair(names=[f"prabowo {w}" for w in "abcdefghijkl"] + ["prabowo"])
    matcher = Matcher.from_bundle(bundle(*crowd, strong))
    text = "coblos Budi! " + " ".join(f"prabowo {w}" for w in "abcdefghijkl")
    result = matcher.match(platform="x", action="like", post={"text": text}, at=IN_CAMPAIGN)
    assert len(result.matches) == MAX_MATCHES and result.matches_truncated == 31 - MAX_MATCHES
    assert result.matches[0].entity_id == "paslon-02"  # strong signals first
    assert sum(s.type == "name" for s in result.matches[0].signals) == MAX_VALUES
    assert "caleg-29" not in {m.entity_id for m in result.matches}
    assert result.verdict == "block"  # caleg-29's policy, though it was cut from the list
    names = result.message["body"].split(" · ")[0]
    assert names.count(",") == 4 and names.endswith(f" +{31 - 5}")


def test_a_message_body_is_cut_at_2000_characters() -> None:
    payload = bundle()
    payload["messages"]["id"]["body"] = "{entities} " * 500
    result = Matcher.from_bundle(payload).match(platform="x", action="like",
                                                post={"text": "prabowo"}, at=IN_CAMPAIGN)
    assert len(result.message["body"]) == MAX_BODY and result.message["body"].endswith("…")


# --- the timeline between checks -----------------------------------------------------------


def test_the_state_is_reused_between_boundaries_and_recomputed_across_them() -> None:
    matcher = Matcher.from_bundle(bundle())
    timeline = matcher.timeline
    first = timeline.state_at(IN_CAMPAIGN.timestamp())
    assert timeline.state_at((IN_CAMPAIGN + timedelta(days=3)).timestamp()) is first
    quiet = timeline.state_at(QUIET_FROM.timestamp())
    assert quiet is not first and quiet.key != first.key
    after = timeline.state_at(TODAY.timestamp())
    before = timeline.state_at((CAMPAIGN_FROM - SECOND).timestamp())
    assert after.key == before.key  # nothing runs either side: the same verdicts
    # Going back in time (a corrected clock) is answered as freshly as going forward.
    assert verdict(matcher, "prabowo", IN_CAMPAIGN) == "warn"
    assert verdict(matcher, "prabowo", TODAY) == "allow"
    assert verdict(matcher, "prabowo", IN_CAMPAIGN) == "warn"


# --- acceptance ----------------------------------------------------------------------------


def malformed(payload: dict) -> str:
    with pytest.raises(BundleRejected) as caught:
        parse_payload(json.dumps(payload).encode("utf-8"))
    assert caught.value.reason == "malformed"
    return caught.value.detail


def test_acceptance_refuses_what_the_schema_cannot_see() -> None:
    """Nine bad election bundles, each refused as malformed naming what is wrong."""
    assert "'paslon-02'" in malformed(bundle(pair(elections=["pemilu-2034"])))
    assert "'pemilu-2034'" in malformed(bundle(pair(elections=["pemilu-2034"])))
    overlap = copy.deepcopy(PEMILU_2024)
    overlap["stages"][1]["from"] = "2024-02-10T23:00:00+07:00"
    detail = malformed(bundle(elections=[overlap]))
    assert "'kampanye'" in detail and "'masa-tenang'" in detail and "'pemilu-2024'" in detail
    assert "overlap" in detail
    assert "twice" in malformed(bundle(elections=[PEMILU_2024, PEMILU_2024]))
    backwards = copy.deepcopy(PEMILU_2024)
    backwards["stages"][0]["until"] = backwards["stages"][0]["from"]
    assert "ends before it starts" in malformed(bundle(elections=[backwards]))
    no_month = copy.deepcopy(PEMILU_2024)
    no_month["stages"][0]["from"] = "2023-13-28T00:00:00+07:00"  # passes the schema's pattern
    assert "RFC 3339" in malformed(bundle(elections=[no_month]))
    naive = copy.deepcopy(PEMILU_2024)
    del naive["stages"][0]["until"]
    assert "schema" in malformed(bundle(elections=[naive]))
    window = pair(active_from="2024-01-01T00:00:00Z", active_until="2023-01-01T00:00:00Z")
    assert "active_until before active_from" in malformed(bundle(window))
    assert "schema" in malformed(bundle(pair(elections="pemilu-2024")))


def test_touching_stages_and_a_bundle_of_past_elections_are_accepted(kit, key) -> None:
    payload = bundle()  # kampanye ends the instant masa-tenang starts: half-open, no overlap
    assert parse_payload(kit.encode(payload))["elections"][0]["id"] == "pemilu-2024"
    raw = kit.encode(payload)
    accepted = verify_bundle(raw, kit.sig_file(key.signature(raw)), kit.trusted([key]),
                             TODAY)
    matcher = Matcher(accepted.compiled)
    assert verdict(matcher, "prabowo", TODAY) == "allow"  # valid, and warns about nothing today
    assert verdict(matcher, "prabowo", IN_CAMPAIGN) == "warn"
