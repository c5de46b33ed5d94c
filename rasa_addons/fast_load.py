"""Load Rasa's TensorFlow models (DIET, TED) without tracing their training step.

To give a model its weights, Rasa 3.6 (``RasaModel.load``) compiles it and fits it on one
example, which makes TensorFlow trace and autograph-convert the whole training step only
to create variables, then loads the trained weights. Profiled on this project's model,
that tracing was most of the CPU time of a model load, and so of a restart after
``kill -9``. Here the one building step runs eagerly (same variables, no tracing); the
model is then compiled again as configured, so predictions still run as a traced
``tf.function``, and the trained weights are loaded over the built ones as before.

TED chooses with ``tf.cond`` between real and placeholder features of each attribute. A
traced step builds the layers of both branches; run eagerly, only the branch the one
example takes runs, and the layers of the other were missing. During the eager step,
``tf.cond`` therefore runs both branches (building both) and returns the taken one.

The warm-up prediction Rasa runs at load (which traces the prediction step) is traced
without AutoGraph (``_warm_up``): about half of what was left of a load's CPU.

Never silently wrong: after loading, every variable the model has must have come from the
checkpoint and every model variable of the checkpoint must have found its place;
otherwise the model is loaded again Rasa's way (and a warning says so). Predictions were
checked identical to Rasa's own load (``bench/bench_fast_load.py``).
``install()`` is called by ``rasa_addons.serve`` (the server), never by training.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def _both_branches() -> Iterator[None]:
    """``tf.cond`` that runs both branches eagerly, so that both build their layers."""
    import tensorflow as tf

    original = tf.cond

    def cond(pred: Any, true_fn: Any = None, false_fn: Any = None, name: Any = None) -> Any:
        taken, other = (true_fn, false_fn) if bool(pred) else (false_fn, true_fn)
        result = taken()
        with contextlib.suppress(Exception):  # e.g. real features of an empty batch
            other()
        return result

    tf.cond = cond
    try:
        yield
    finally:
        tf.cond = original


def _checkpoint_model_variables(path: str) -> int:
    """How many of the model's own variables (not the optimizer's) the checkpoint holds."""
    import tensorflow as tf

    # Keys look like "model/_tf_layers/…/kernel/.ATTRIBUTES/VARIABLE_VALUE"; the
    # optimizer's are under "model/optimizer/…", the checkpoint's counter "save_counter/…".
    return sum(
        1
        for name, _shape in tf.train.list_variables(path)
        if name.endswith("/.ATTRIBUTES/VARIABLE_VALUE")
        and not {"optimizer", "save_counter"} & set(name.split("/")[:2])
    )


def _complete(model: Any, status: Any, path: str) -> bool:
    """Every variable of the model was restored, and none of the checkpoint's is left."""
    try:
        status.assert_existing_objects_matched()
    except AssertionError as error:
        logger.warning("Fast load of %s left variables unmatched: %s", type(model).__name__, error)
        return False
    own = len({id(v) for v in model.weights})
    saved = _checkpoint_model_variables(path)
    if own != saved:
        logger.warning(
            "Fast load of %s built %d variables, the checkpoint has %d",
            type(model).__name__,
            own,
            saved,
        )
        return False
    return True


def _warm_up(model: Any, predict_data_example: Any) -> None:
    """Trace the prediction step once, as Rasa does at load, but without AutoGraph.

    AutoGraph rewrites the Python source of every function the step calls so that an ``if``
    or a loop over a tensor becomes graph control flow; that rewriting was most of the time
    left in a load (profiled: about 80 % of the warm-up's trace). Rasa's step branches with
    explicit ``tf.cond`` and on Python values only, which trace to the same graph either
    way; a Python branch on a tensor would raise while tracing (never trace differently),
    and the step is then traced again with AutoGraph, as Rasa does.
    """
    import tensorflow as tf

    model.predict_step = tf.autograph.experimental.do_not_convert(model.predict_step)
    try:
        model.run_inference(predict_data_example)
    except (TypeError, ValueError, tf.errors.OperatorNotAllowedInGraphError) as error:
        logger.warning("Tracing %s without AutoGraph failed (%s); tracing it with AutoGraph",
                       type(model).__name__, error)  # fmt: skip
        del model.predict_step
        model._tf_predict_step = None
        model.run_inference(predict_data_example)


def install() -> None:
    import tensorflow as tf
    from rasa.core.policies.ted_policy import TED
    from rasa.nlu.classifiers.diet_classifier import DIET
    from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
    from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
    from rasa.utils.tensorflow.models import RasaModel

    if getattr(RasaModel.load, "_eager_build", False):
        return
    original = RasaModel.load.__func__  # type: ignore[attr-defined]

    def load(
        cls: type[RasaModel],
        model_file_name: str,
        model_data_example: Any,
        predict_data_example: Any = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> RasaModel:
        if finetune_mode or not issubclass(cls, (DIET, TED)):
            return original(cls, model_file_name, model_data_example, predict_data_example,
                            finetune_mode, *args, **kwargs)  # fmt: skip
        model = cls(*args, **kwargs)
        config = kwargs.get("config", {})
        learning_rate = config.get(LEARNING_RATE, 0.001)
        run_eagerly = config.get(RUN_EAGERLY)
        model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate), run_eagerly=True)
        with _both_branches():
            model.fit(RasaBatchDataGenerator(model_data_example, batch_size=1), verbose=False)
        # As configured again (a traced predict step unless RUN_EAGERLY), weights kept.
        model.compile(optimizer=model.optimizer, run_eagerly=run_eagerly)
        status = model.load_weights(model_file_name)
        if not _complete(model, status, model_file_name):
            logger.warning("Loading %s the usual (slower) way", cls.__name__)
            return original(cls, model_file_name, model_data_example, predict_data_example,
                            finetune_mode, *args, **kwargs)  # fmt: skip
        status.expect_partial()  # the optimizer's slots: no training here
        if predict_data_example:
            _warm_up(model, predict_data_example)
        return model

    load._eager_build = True  # type: ignore[attr-defined]
    RasaModel.load = classmethod(load)  # type: ignore[method-assign, assignment]
