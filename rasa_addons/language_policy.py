"""Sets the ``language`` slot inside the Rasa server, once per user message.

The slot used to be a custom slot mapping filled by ``action_detect_language``: one
action-server round trip on every turn only to look at the words. A policy sees the tracker
(the current language, the message, its metadata) and may return events that Rasa applies
before the turn's first action runs whether or not the policy's prediction wins
(``PolicyPrediction.events``), so the first reply is already in the customer's language.
It never predicts an action: its probabilities are all zero and its priority the lowest.

An NLU component emitting a ``language`` entity was the other way; it was not taken because
``rasa test --fail-on-prediction-errors`` compares every extracted entity with the test
story's annotations, so every conversation test would have to annotate the language.

The WhatsApp channel decides the language when it records the customer
(``helpdesk.customer_seen``) and passes it as ``metadata["language"]``; other channels (REST,
``rasa test``) get the same decision here, from the same function.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_EXTRACT_SLOTS
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from helpdesk.conversation import LANGUAGE_SLOT, SUPPORTED_LANGUAGES
from helpdesk.language import turn_language
from helpdesk.settings import get_settings

METADATA_KEY = "language"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class LanguagePolicy(Policy):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"priority": 0}

    def train(self, training_trackers: list[Any], domain: Domain, **kwargs: Any) -> Resource:
        return self._resource  # nothing to learn

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        return self._prediction(self._default_predictions(domain), events=language_events(tracker))


def language_events(tracker: DialogueStateTracker) -> list[SlotSet]:
    """The slot change this user message calls for, on the turn's first prediction only."""
    message = _unanswered_message(tracker)
    if message is None:
        return []
    metadata = message.metadata or {}
    current = tracker.get_slot(LANGUAGE_SLOT)
    decided = metadata.get(METADATA_KEY)
    if decided not in SUPPORTED_LANGUAGES:
        caption = metadata.get("caption")
        decided = turn_language(
            message.text,
            caption=caption if isinstance(caption, str) else None,
            current=current,
            default=get_settings().default_language,
        )
    return [] if decided == current else [SlotSet(LANGUAGE_SLOT, decided)]


def _unanswered_message(tracker: DialogueStateTracker) -> UserUttered | None:
    # Later predictions of the same turn (after the first action ran) leave the slot alone.
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return event
        if isinstance(event, ActionExecuted) and event.action_name != ACTION_EXTRACT_SLOTS:
            return None
    return None
