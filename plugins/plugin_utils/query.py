"""Read-only views of a state document for wfp.ipsec.policy_info."""

from __future__ import annotations

from collections.abc import Iterable

from .catalogue import guid_of
from .model import LIST_NAMES, State, empty_state, iter_objects, owned_state


def on_layers(state: State, layers: Iterable[str]) -> State:
    """Filters on the given layers (symbols or GUIDs), with the sublayers, provider contexts and
    providers they reference."""
    layer_keys = {guid_of(layer, "FWPM_LAYER_") for layer in layers}
    filters = [f for f in state.get("filters", []) if f["layer_key"] in layer_keys]
    wanted = {f["sublayer_key"] for f in filters} | {f["provider_context_key"] for f in filters}
    wanted |= {f["provider_key"] for f in filters}
    result = empty_state()
    for object_type, obj in iter_objects(state):
        if object_type != "filter" and obj["key"] in wanted:
            result[LIST_NAMES[object_type]].append(obj)
    for object_type in ("sublayer", "provider_context"):
        for obj in result[LIST_NAMES[object_type]]:
            wanted.add(obj.get("provider_key"))
    result["providers"] = [p for p in state.get("providers", []) if p["key"] in wanted]
    result["filters"] = filters
    return result


def select(state: State, provider_key: str | None, layers: Iterable[str] | None) -> State:
    """Objects of a provider, or on layers, or both (intersection), or everything."""
    selected = state
    if provider_key:
        selected = owned_state(selected, provider_key)
    if layers:
        selected = on_layers(selected, layers)
    return selected
