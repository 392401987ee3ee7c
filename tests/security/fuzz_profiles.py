"""hypothesis's profiles for the form fuzzing: ``ci`` (quick, the default) and ``long`` (on demand).

``HYPOTHESIS_PROFILE=long make pytest PYTEST_ARGS=tests/security/test_fuzzing.py`` runs
1,000 examples per form (docs/security.md). The profile decorates the fuzz tests
only, so other property tests in the suite keep their own settings.
"""

import os

from hypothesis import HealthCheck, settings

_SLOW_BUT_FINE = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large]
settings.register_profile("ci", max_examples=30, deadline=None, suppress_health_check=_SLOW_BUT_FINE)
settings.register_profile("long", max_examples=1000, deadline=None, suppress_health_check=_SLOW_BUT_FINE)

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
FUZZ = settings.get_profile(PROFILE)
