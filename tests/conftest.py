"""Hypothesis profiles: bounded and derandomized in CI (CI=true), a little wider locally."""
import os

import pytest
from hypothesis import HealthCheck, settings

from tinygrad_edu.testing import gradcheck, gradgradcheck

settings.register_profile(
    "ci", max_examples=25, deadline=None, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(scope="module", params=[gradcheck, gradgradcheck], ids=["first-order", "second-order"])
def check(request):
    """Run a finite-difference proof twice: first derivatives, then second derivatives.
    (Module scope: Hypothesis reruns a test body many times and needs fixtures that stay put.)"""
    return request.param
