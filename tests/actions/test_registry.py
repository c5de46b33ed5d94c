"""The action server registers exactly the custom actions the domain declares."""

from __future__ import annotations

import yaml
from rasa_sdk.executor import ActionExecutor

from helpdesk.settings import PROJECT_ROOT


def test_every_domain_action_is_served_and_nothing_else() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert set(executor.actions) == set(domain["actions"])
