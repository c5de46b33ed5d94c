"""A second intent classifier on character and word n-grams (scikit-learn), blended with
DIET's ranking.

Customers misspell, drop accents and mix languages; a linear model on character n-grams
is robust to all three and, unlike DIET's softmax, is not pushed to a confidence near 1.0
for a message unlike anything it saw (a phone-assistant command, a sum of money). Placed
after DIETClassifier in config.yml, it replaces the message's intent with the weighted mean
of both rankings (``weight`` is this model's share); the FallbackClassifier after it then
judges the blended confidence. Alone in a pipeline it is the intent classifier.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import joblib
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

MODEL_FILE = "char_ngram_classifier.joblib"
RANKING_LENGTH = 10


def fold(text: str) -> str:
    """Lower case without accents: "Devolución" and "devolucion" are one word here."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def build_pipeline(config: dict[str, Any]) -> Any:
    # scikit-learn is imported here: it is heavy and only needed to train.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    features = make_union(
        TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(config["min_ngram"], config["max_ngram"]),
            sublinear_tf=True,
        ),
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
    )
    return make_pipeline(features, LogisticRegression(C=config["C"], max_iter=2000, random_state=1))


def blend(
    own: dict[str, float], other: list[dict[str, Any]] | None, weight: float
) -> list[tuple[str, float]]:
    """Weighted mean of this model's probabilities and another classifier's ranking
    (intents missing from a ranking count as 0), best first."""
    if not other:
        mixed = dict(own)
    else:
        theirs = {item["name"]: float(item["confidence"]) for item in other}
        names = set(own) | set(theirs)
        mixed = {n: weight * own.get(n, 0.0) + (1 - weight) * theirs.get(n, 0.0) for n in names}
    return sorted(mixed.items(), key=lambda item: item[1], reverse=True)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class CharNgramIntentClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"weight": 0.5, "C": 10.0, "min_ngram": 2, "max_ngram": 5}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Any = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CharNgramIntentClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        if len({m.get(INTENT) for m in examples}) < 2:
            return self._resource  # nothing to tell apart; process() leaves messages alone
        model = build_pipeline(self._config)
        model.fit([fold(m.get(TEXT)) for m in examples], [m.get(INTENT) for m in examples])
        self._model = model
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(model, directory / MODEL_FILE)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CharNgramIntentClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                model = joblib.load(directory / MODEL_FILE)
        except (ValueError, FileNotFoundError):
            model = None  # trained on fewer than two intents
        return cls(config, model_storage, resource, model)

    def process(self, messages: list[Message]) -> list[Message]:
        if self._model is None:
            return messages
        texts = [m.get(TEXT) for m in messages]
        todo = [i for i, text in enumerate(texts) if text]
        if not todo:
            return messages
        probabilities = self._model.predict_proba([fold(texts[i]) for i in todo])
        classes = list(self._model.classes_)
        for row, index in zip(probabilities, todo, strict=True):
            message = messages[index]
            own = {name: float(p) for name, p in zip(classes, row, strict=True)}
            ranking = blend(own, message.get(INTENT_RANKING_KEY), self._config["weight"])
            ranking = ranking[:RANKING_LENGTH]
            message.set(INTENT, {"name": ranking[0][0], "confidence": ranking[0][1]}, True)
            message.set(
                INTENT_RANKING_KEY,
                [{"name": name, "confidence": c} for name, c in ranking],
                True,
            )
        return messages
