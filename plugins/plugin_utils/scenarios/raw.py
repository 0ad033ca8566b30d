"""Raw provider contexts and filters from `objects`, stamped with our provider and sublayer."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from ..model import LIST_NAMES, PERSISTENT_FLAG, canonical
from .keys import Builder


def raw_object_id(raw: dict[str, Any]) -> str:
    """The logical id of a raw object: `id`, else its name."""
    return str(raw.get("id") or raw.get("name"))


def looks_like_guid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def add_raw_objects(builder: Builder, objects: dict[str, Any]) -> None:
    """A raw object's key derives from its `id` (or name) unless given; a filter may name a raw
    provider context by that id instead of a GUID."""
    for object_type in ("provider_context", "filter"):
        list_name = LIST_NAMES[object_type]
        for index, raw in enumerate(objects.get(list_name) or []):
            obj = copy.deepcopy(raw)
            obj["key"] = obj.get("key") or builder.key(
                f"objects/{object_type}/{raw_object_id(raw)}"
            )
            obj.pop("id", None)
            obj["provider_key"] = builder.provider_key
            flags = set(obj.get("flags") or [])
            if builder.persistent:
                flags.add(PERSISTENT_FLAG[object_type])
            obj["flags"] = sorted(flags)
            if object_type == "filter":
                obj.setdefault("sublayer_key", builder.sublayer_key)
                context_ref = obj.get("provider_context_key")
                if context_ref and not looks_like_guid(context_ref):
                    obj["provider_context_key"] = builder.key(
                        f"objects/provider_context/{context_ref}"
                    )
            builder.add(object_type, canonical(object_type, obj, f"objects.{list_name}[{index}]"))
