"""The character n-gram intent classifier, trained and loaded through Rasa's own model
storage: it tells intents apart on misspelled, accent-less text, survives a save and load,
and blends its probabilities with the ranking DIET left on the message."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_addons.char_ngram_classifier import CharNgramIntentClassifier, blend

EXAMPLES = {
    "request_return": [
        "quiero un reembolso", "quiero devolver el pedido", "devolución por favor",
        "i want a refund", "refund my order", "i want to return it",
    ],
    "report_payment_problem": [
        "me cobraron dos veces", "el pago falló", "cobro duplicado en la tarjeta",
        "i was charged twice", "my payment failed", "double charge on my card",
    ],
}  # fmt: skip


@pytest.fixture
def trained(tmp_path: Path) -> tuple[LocalModelStorage, Resource]:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("char_ngram")
    context = ExecutionContext(GraphSchema({}), "test")
    component = CharNgramIntentClassifier.create(
        CharNgramIntentClassifier.get_default_config(), storage, resource, context
    )
    data = TrainingData(
        [
            Message(data={"text": text, "intent": intent})
            for intent, texts in EXAMPLES.items()
            for text in texts
        ]
    )
    component.train(data)
    return storage, resource


def _load(
    trained: tuple[LocalModelStorage, Resource], **config: float
) -> CharNgramIntentClassifier:
    storage, resource = trained
    return CharNgramIntentClassifier.load(
        {**CharNgramIntentClassifier.get_default_config(), **config},
        storage,
        resource,
        ExecutionContext(GraphSchema({}), "test"),
    )


def test_misspelled_messages_without_accents_find_their_intent(trained) -> None:
    classifier = _load(trained)
    messages = [
        Message(data={"text": "kiero mi reembolzo"}),
        Message(data={"text": "me cobraron 2 veses"}),
    ]
    classifier.process(messages)
    assert [m.get("intent")["name"] for m in messages] == [
        "request_return",
        "report_payment_problem",
    ]
    ranking = messages[0].get("intent_ranking")
    assert abs(sum(item["confidence"] for item in ranking) - 1.0) < 1e-6


def test_the_other_classifier_ranking_is_blended_by_weight(trained) -> None:
    classifier = _load(trained, weight=0.2)
    message = Message(data={"text": "refund my order please"})
    # DIET was sure it was a payment; with 80 % of the say it keeps it.
    message.set("intent_ranking", [{"name": "report_payment_problem", "confidence": 1.0}])
    classifier.process([message])
    assert message.get("intent")["name"] == "report_payment_problem"
    assert message.get("intent")["confidence"] < 1.0


def test_blend_counts_intents_missing_from_a_ranking_as_zero() -> None:
    mixed = dict(blend({"a": 0.6, "b": 0.4}, [{"name": "c", "confidence": 1.0}], 0.5))
    assert mixed == {"a": 0.3, "b": 0.2, "c": 0.5}
