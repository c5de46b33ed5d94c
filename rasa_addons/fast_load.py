"""Load DIET, Rasa's TensorFlow NLU classifier, without tracing its training step.

To give a model its weights, Rasa 3.6 (``RasaModel.load``) compiles it and fits it on one
example, which makes TensorFlow trace and autograph-convert the whole training step only
to create variables, then loads the trained weights. Profiled on this project's model,
that tracing was about three quarters of the CPU time of a model load, and so of a
restart after ``kill -9``. Here DIET's one building step runs eagerly (same variables, no
tracing); the model is then compiled again as configured, so predictions still run as a
traced ``tf.function``, and the trained weights are loaded over the built ones as before.
Its predictions were checked identical to Rasa's own load, to the last digit. TED (the
dialogue policy) built eagerly missed some of its layers, so it keeps Rasa's load.
``install()`` is called by ``rasa_addons.serve`` (the server), never by training.
"""

from __future__ import annotations

from typing import Any


def install() -> None:
    import tensorflow as tf
    from rasa.nlu.classifiers.diet_classifier import DIET
    from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
    from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
    from rasa.utils.tensorflow.models import RasaModel

    if getattr(DIET.load, "_eager_build", False):
        return
    original = DIET.load.__func__  # type: ignore[attr-defined]

    def load(
        cls: type[RasaModel],
        model_file_name: str,
        model_data_example: Any,
        predict_data_example: Any = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> RasaModel:
        if not issubclass(cls, DIET):
            return original(cls, model_file_name, model_data_example, predict_data_example,
                            finetune_mode, *args, **kwargs)  # fmt: skip
        model = cls(*args, **kwargs)
        config = kwargs.get("config", {})
        learning_rate = config.get(LEARNING_RATE, 0.001)
        run_eagerly = config.get(RUN_EAGERLY)
        model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate), run_eagerly=True)
        model.fit(RasaBatchDataGenerator(model_data_example, batch_size=1), verbose=False)
        # As configured again (a traced predict step unless RUN_EAGERLY), weights kept.
        model.compile(optimizer=model.optimizer, run_eagerly=run_eagerly)
        model.load_weights(model_file_name)
        if not finetune_mode and predict_data_example:
            model.run_inference(predict_data_example)
        return model

    load._eager_build = True  # type: ignore[attr-defined]
    DIET.load = classmethod(load)  # type: ignore[method-assign, assignment]
