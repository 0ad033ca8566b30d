"""Compatibility import path: the scenarios now live in `plugin_utils/scenarios/`.

Kept so that code written against `plugin_utils.scenario` (other branches, tools, user
plugins) keeps working; new code imports from `.scenarios`.
"""

from __future__ import annotations

from .scenarios import (
    COLLECTION_NAMESPACE,
    DEFAULT_PROVIDER_NAME,
    DEFAULT_SUBLAYER_WEIGHT,
    GUARANTEED_ENCRYPTION_DEFAULTS,
    derived_key,
    expand,
    provider_key_of,
    raw_object_id,
    sublayer_key_of,
)

__all__ = [
    "COLLECTION_NAMESPACE",
    "DEFAULT_PROVIDER_NAME",
    "DEFAULT_SUBLAYER_WEIGHT",
    "GUARANTEED_ENCRYPTION_DEFAULTS",
    "derived_key",
    "expand",
    "provider_key_of",
    "raw_object_id",
    "sublayer_key_of",
]
