"""Hypothesis profiles of the generated-input suite (docs/testing.md, "Generated input").

* `ci` (default): fixed seed (derandomized), a few dozen examples per test; the whole suite runs
  in about two minutes on two cores.
* `long`: random seeds and many examples, for a run by hand:
  `WFP_IPSEC_FUZZ=long WFP_IPSEC_FUZZ_EXAMPLES=5000 pytest -p no:cacheprovider tests/unit/fuzz`
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "print_blob": True,
}
settings.register_profile(
    "wfp-fuzz-ci",
    max_examples=int(os.environ.get("WFP_IPSEC_FUZZ_EXAMPLES", "30")),
    derandomize=True,
    database=None,
    **_COMMON,
)
settings.register_profile(
    "wfp-fuzz-long",
    max_examples=int(os.environ.get("WFP_IPSEC_FUZZ_EXAMPLES", "2000")),
    **_COMMON,
)

#: The settings every generated-input test runs with.
FUZZ = settings.get_profile(f"wfp-fuzz-{os.environ.get('WFP_IPSEC_FUZZ', 'ci')}")
