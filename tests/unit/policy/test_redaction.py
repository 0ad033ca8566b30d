"""Result redaction (redaction.py): whole keys, their escaped spellings and any part of them long
enough to identify them are masked; text without them is left alone."""

from __future__ import annotations

from ansible_collections.wfp.ipsec.plugins.plugin_utils.redaction import (
    FRAGMENT,
    MASK,
    redact,
)
from hypothesis import given
from hypothesis import strategies as st

SECRET = "Shortened-key-7f3a9c-ends-here"


def test_a_shortened_key_in_a_message_is_masked() -> None:
    message = f"authentication: {{'method': 'preshared_key', ...{SECRET[-20:]}'}} is not a list"
    masked = redact({"msg": message}, {SECRET})["msg"]
    assert SECRET[-20:] not in masked and SECRET[-FRAGMENT:] not in masked
    assert masked.startswith("authentication: {'method': 'preshared_key', ...")
    assert masked.endswith(f"{MASK}'}} is not a list")


def test_a_key_member_of_a_method_of_any_spelling_is_masked() -> None:
    result = {"value": {"method": "PreShared-Key", "key": "short"}, "name": "key"}
    assert redact(result) == {"value": {"method": "PreShared-Key", "key": MASK}, "name": "key"}


secrets = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FF, exclude_characters="*"),
    min_size=1,
    max_size=40,
)


@given(secrets, st.text(max_size=30), st.text(max_size=30), st.integers(0, 40), st.integers(0, 40))
def test_no_run_of_fragment_length_survives(
    secret: str, before: str, after: str, start: int, length: int
) -> None:
    part = secret[start : start + max(length, FRAGMENT)]
    masked = redact(before + part + after + secret, {secret})
    for index in range(len(secret) - FRAGMENT + 1):
        assert secret[index : index + FRAGMENT] not in masked


@given(st.text(alphabet="abcdefgh ,.:'{}", max_size=200))
def test_text_sharing_no_fragment_with_the_key_is_unchanged(text: str) -> None:
    assert redact({"msg": text}, {"ZYXWVUTSRQ-0123456789"}) == {"msg": text}
