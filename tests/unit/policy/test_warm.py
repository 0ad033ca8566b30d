"""The warm-up run at the action plugin's import must really run (else every worker pays)."""

from __future__ import annotations

from ansible_collections.wfp.ipsec.plugins.plugin_utils.warm import warm_up


def test_warm_up_runs_a_check_and_a_converge_on_an_in_memory_engine() -> None:
    assert warm_up() is True


def test_warm_up_compiles_the_checks_of_host_replies() -> None:
    from ansible_collections.wfp.ipsec.plugins.plugin_utils import live

    warm_up()
    for compiled in (live._state_check, live._state_accept, live._state_accept_counting):
        assert compiled.cache_info().currsize == 1
