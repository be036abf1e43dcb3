"""Training small CNNs and MLPs on digits, in numpy (the Train tab's engine; no Qt).

Data
    ``load_digits() -> Dataset``: the 1,797 UCI 8×8 digits; ``.images`` (n, 8, 8) float32 in
    [0, 1], ``.labels`` (n,) int64 0–9, ``.class_names``, ``.source``, ``.as_input()`` →
    (n, 1, H, W), ``.subset(idx)``.
    ``load_idx(images_path, labels_path, *, progress=None, cancelled=None) -> Dataset``: MNIST
    IDX files (``.gz`` too), streamed; sizes checked on the headers first.
    ``load_image_folder(folder, size=(28, 28), *, invert=False, progress=None, cancelled=None)
    -> Dataset``: one sub-folder per class; every image header is checked (``MAX_IMAGE_PIXELS``
    each, ``MAX_FOLDER_PIXELS`` in all, ``MAX_FOLDER_IMAGES``) before decoding.  The callbacks
    are plain Python: ``progress(fraction, text)``, ``cancelled() -> bool``; a cancelled load
    raises ``LoadCancelled``.  A data set holds at most ``MAX_DATASET_VALUES`` values, sides
    ≤ ``MAX_SIDE``.  ``train_validation_split(n, validation_fraction=0.2, seed=0) -> (train_idx,
    val_idx)``; ``split_dataset(data, validation_fraction=0.2, seed=0) -> (train, val)``;
    ``shift_images(images, dy, dx)`` (zero fill, last two axes); ``random_shift(images,
    max_shift, rng)``.
    Webcam sets: ``capture_view(frame, size)`` → the centre square, gray in [0, 1], shrunk to
    ``size`` with area interpolation (``centre_square``, ``gray_unit``);
    ``CaptureSet(names, size)`` (``check_class_names``: 2–10 names usable as folder names)
    with ``.add(class_index, frame)`` (at most ``MAX_CAPTURES`` images, then
    ``CaptureLimitError``), ``.delete(class_index, positions)``, ``.arrays()`` and
    ``.save(folder)`` → one sub-folder of PNGs per class, all or nothing, into a new or empty
    folder; reloads through ``load_image_folder(folder, size)``.
    Live classification: ``live_input(frame, size, mode="camera"|"digit") -> LiveInput``
    (``.image`` the model's input, ``.steps`` [:class:`LiveStep` (title, image)], ``.found``,
    ``.note``); ``digit_input(frame, size)``: Otsu ink, bounding box, MNIST 20×20 in 28×28
    with the centre of mass centred, or UCI 32×32 bitmap → 8×8 blocks of 0–16 levels
    (``DIGIT_SIZES``); ``centre_of_mass(image)``; ``live_probabilities(models, image) ->
    {name: probabilities | None}``.

Models
    ``build_model(spec, input_shape=None, classes=10, seed=0, *, dtype=float32) -> Model``;
    ``spec`` is ``"cnn"``, ``"mlp"``, Layer-sizes network JSON text, ``{"layers", "input_shape"}``
    or a list of layer specs (Conv2d, MaxPool2d, AvgPool2d, ReLU, Flatten, Linear, Dropout).
    ``TRAIN_PRESETS`` = ``{"cnn": layers, "mlp": layers}`` for (1, 8, 8);
    ``preset_network_json(name)`` gives a preset as network JSON for the layer table.
    ``Model``: ``.parameters()`` (live arrays by name, e.g. ``"conv1.weight"``), ``.n_params``
    (= ``engine.summarize(...).total_params``), ``.summary``, ``.layers``, ``.input_shape``,
    ``.forward(x)`` → logits (N, classes), ``.predict_proba(x)``, ``.predict(x)``,
    ``.loss_and_gradients(x, y, lam)`` → (loss, grads), ``.data_loss(x, y)`` → (CE, accuracy),
    ``.activations(one_sample)`` → [``LayerActivation(index, name, type, values)``],
    ``.first_layer_filters()`` → (F, C, kh, kw) or None, ``.network_json()``, ``.copy()``,
    ``.set_parameters(dict)``.  Loss: ``(1/n) Σ CE + λ Σ‖W‖²`` over weights only.
    Networks over 5 M parameters or 2 M values per sample are refused (ValueError).
    A model is not thread-safe (layers keep state between forward and backward and reuse
    buffers): a thread that trains it owns it; hand other threads ``model.copy()`` (cheap).

Training
    ``train_model(model, x, y, *, epochs, batch_size, learning_rate, lam, optimizer,
    augment_shift, seed=0, validation=None, on_epoch=None, should_stop=None) -> History``;
    defaults are ``DEFAULTS`` (a :class:`TrainSettings`: the tab's defaults).
    ``Trainer(model, x, y, **same)`` for worker threads: ``.step()`` trains one batch (returns
    ``True`` while more remain; pause/resume = stop/continue calling it), ``.step_epoch()``,
    ``.run(on_epoch, should_stop)``, ``.progress`` (0–1), ``.epoch``, ``.done``, ``.history``,
    ``.last_batch_loss``; a diverging run raises ``FloatingPointError`` ("lower the learning
    rate").  Training metrics are running means over each epoch's batches; validation is
    evaluated after each epoch (a fixed subsample of 10,000 when larger).  Training runs
    numpy's BLAS on one thread (``threadpoolctl``; two threads were 7× slower when the other
    core was busy).  ``History``: ``.records`` (:class:`EpochRecord`),
    ``.train_loss``, ``.train_accuracy``, ``.val_loss``, ``.val_accuracy``,
    ``.to_dict()``/``from_dict``.
    ``OPTIMIZERS`` = ("sgd", "momentum", "adam").
    ``single_threaded_blas()``: a context manager holding BLAS at one thread (reference-counted,
    thread-safe); a worker thread holds it for a whole job, so the limit is not switched on and
    off per batch and a GUI thread's BLAS calls in the meantime start no spinning helper threads.
    ``save_model(path, model, history=None)`` / ``load_model(path) -> (Model, History | None)``:
    one ``.npz`` with the weights and the network JSON, written atomically.

Experiments
    ``shift_test(model, x, y, shifts=(0, 1, 2, 3)) -> {shift: accuracy}`` (mean of 4
    directions); ``lambda_sweep(spec, x, y, validation, lambdas, *, epochs=10, seed=0,
    on_result=None, should_stop=None, **train_kwargs) -> LambdaSweep``;
    ``gradient_check(model, x, y, lam) -> [GradientCheckRow(layer, parameter,
    max_relative_error, max_abs_error, checked)]`` (float64 central differences);
    ``confusion_matrix(y_true, y_pred, classes=10)``; ``misclassified(y_true, y_pred)``;
    ``worst_gradient_row(rows)``, ``gradient_check_sentence({name: rows}, lam)``.

Experiments over seeds (default ``DEFAULT_SEEDS`` = 3, at most ``MAX_SEEDS`` = 10)
    Each returns :class:`SeedStats` (``values`` per seed, ``mean``, ``sd``, 95 % t interval
    ``low``/``high``) and :class:`Comparison` (``difference``, ``noise`` = the larger of the
    seeds' 95 % half-width and the validation set's binomial one, ``measurable``, ``words()``:
    ``NO_DIFFERENCE`` when smaller than its noise), the validation-set size, and ``.sentence``:
    one plain sentence saying what the numbers show and what they do not.
    ``overfitting_experiment(settings=OVERFITTING_DEFAULTS, data=None, *, first_seed=0,
    progress=None, should_stop=None) -> OverfittingResult``: a small training set, a wide MLP,
    wrong training labels (``flip_labels``), many epochs; per λ training/validation accuracy
    and ``Σ‖W‖²``, the best λ, early stopping (best epoch) and dropout
    (:class:`OverfittingSettings`).  ``learning_curves(networks, train, validation, sizes, *,
    seeds, epochs, …) -> LearningCurves`` (CNN vs MLP against the training-set size);
    ``shift_experiment(networks, train, validation, shifts, *, seeds, epochs, …) ->
    ShiftExperiment``.  ``should_stop()`` returning true raises ``ExperimentStopped``;
    ``seed_stats(values)``, ``compare(a, b, n_validation, names)``, ``seed_list(n, first)``.

Explaining
    ``explain_prediction(model, image, target=None) -> PredictionExplanation`` (probabilities,
    ``saliency_map`` = |∂ logit / ∂ input|, ``occlusion_map`` = drop in the target's probability
    when a patch is greyed out).

Export
    ``export_onnx(model, path, *, softmax=False) -> OnnxExport`` (opset ``ONNX_OPSET``, built
    with the ``onnx`` helper API, ``onnx.checker`` clean; one converter per layer kind in
    ``ONNX_CONVERTERS``; ``onnx_model(model)`` gives the in-memory ``ModelProto``);
    ``compare_onnx_logits(path, model, x) -> OnnxComparison`` runs it in onnxruntime
    (``.max_logit_difference``, ``.same_logits`` ≤ ``LOGIT_TOLERANCE``).  ``onnx`` and
    ``onnxruntime`` are optional and imported only by these calls; ``onnx_missing()`` /
    ``onnxruntime_missing()`` say what to install ("" when present).
"""

from engine.train._blas import single_threaded_blas
from engine.train._capture import (
    MAX_CAPTURE_CLASSES,
    MAX_CAPTURES,
    MAX_CLASS_NAME,
    MIN_CAPTURE_CLASSES,
    CaptureLimitError,
    CaptureSet,
    capture_view,
    centre_square,
    check_class_names,
    gray_unit,
)
from engine.train._curves import (
    LEARNING_CURVE_SIZES,
    LearningCurves,
    ShiftExperiment,
    learning_curve_sentence,
    learning_curves,
    shift_experiment,
    shift_sentence,
)
from engine.train._data import (
    MAX_DATASET_VALUES,
    MAX_SIDE,
    Dataset,
    LoadCancelled,
    load_digits,
    random_shift,
    shift_images,
    split_dataset,
    train_validation_split,
)
from engine.train._experiments import (
    GradientCheckRow,
    LambdaSweep,
    confusion_matrix,
    gradient_check,
    gradient_check_sentence,
    lambda_sweep,
    misclassified,
    shift_test,
    worst_gradient_row,
)
from engine.train._explain import (
    PredictionExplanation,
    explain_prediction,
    occlusion_map,
    saliency_map,
)
from engine.train._folder import (
    MAX_FOLDER_IMAGES,
    MAX_FOLDER_PIXELS,
    MAX_IMAGE_PIXELS,
    load_image_folder,
)
from engine.train._idx import load_idx
from engine.train._live import (
    DIGIT_SIZES,
    LIVE_MODES,
    LiveInput,
    LiveStep,
    centre_of_mass,
    digit_input,
    live_input,
    live_probabilities,
)
from engine.train._model import (
    TRAIN_PRESETS,
    TRAINABLE_KINDS,
    LayerActivation,
    Model,
    build_model,
    preset_network_json,
)
from engine.train._onnx import (
    LOGIT_TOLERANCE,
    ONNX_CONVERTERS,
    ONNX_OPSET,
    OnnxComparison,
    OnnxExport,
    compare_onnx_logits,
    export_onnx,
    onnx_missing,
    onnx_model,
    onnxruntime_missing,
)
from engine.train._overfitting import (
    NO_GAIN,
    OVERFITTING_DEFAULTS,
    OverfittingResult,
    OverfittingSettings,
    flip_labels,
    overfitting_experiment,
    overfitting_sentence,
)
from engine.train._repeats import (
    DEFAULT_SEEDS,
    MAX_SEEDS,
    NO_DIFFERENCE,
    Comparison,
    ExperimentStopped,
    SeedStats,
    compare,
    seed_list,
    seed_stats,
)
from engine.train._saving import load_model, save_model
from engine.train._training import (
    DEFAULTS,
    OPTIMIZERS,
    EpochRecord,
    History,
    Trainer,
    TrainSettings,
    train_model,
)

__all__ = [
    "DEFAULTS",
    "MAX_CAPTURES",
    "MAX_CAPTURE_CLASSES",
    "MAX_CLASS_NAME",
    "MIN_CAPTURE_CLASSES",
    "CaptureLimitError",
    "CaptureSet",
    "capture_view",
    "centre_square",
    "check_class_names",
    "gray_unit",
    "DIGIT_SIZES",
    "LIVE_MODES",
    "LiveInput",
    "LiveStep",
    "centre_of_mass",
    "digit_input",
    "live_input",
    "live_probabilities",
    "MAX_DATASET_VALUES",
    "MAX_FOLDER_IMAGES",
    "MAX_FOLDER_PIXELS",
    "MAX_IMAGE_PIXELS",
    "MAX_SIDE",
    "LOGIT_TOLERANCE",
    "LoadCancelled",
    "ONNX_CONVERTERS",
    "ONNX_OPSET",
    "OPTIMIZERS",
    "TRAINABLE_KINDS",
    "TRAIN_PRESETS",
    "Dataset",
    "EpochRecord",
    "GradientCheckRow",
    "History",
    "LambdaSweep",
    "LayerActivation",
    "Model",
    "OnnxComparison",
    "OnnxExport",
    "PredictionExplanation",
    "TrainSettings",
    "Trainer",
    "build_model",
    "compare_onnx_logits",
    "confusion_matrix",
    "explain_prediction",
    "export_onnx",
    "gradient_check",
    "lambda_sweep",
    "load_digits",
    "load_idx",
    "load_image_folder",
    "load_model",
    "misclassified",
    "occlusion_map",
    "onnx_missing",
    "onnx_model",
    "onnxruntime_missing",
    "preset_network_json",
    "random_shift",
    "saliency_map",
    "save_model",
    "shift_images",
    "shift_test",
    "single_threaded_blas",
    "split_dataset",
    "train_model",
    "train_validation_split",
    "LEARNING_CURVE_SIZES",
    "LearningCurves",
    "ShiftExperiment",
    "learning_curve_sentence",
    "learning_curves",
    "shift_experiment",
    "shift_sentence",
    "gradient_check_sentence",
    "worst_gradient_row",
    "NO_GAIN",
    "OVERFITTING_DEFAULTS",
    "OverfittingResult",
    "OverfittingSettings",
    "flip_labels",
    "overfitting_experiment",
    "overfitting_sentence",
    "DEFAULT_SEEDS",
    "MAX_SEEDS",
    "NO_DIFFERENCE",
    "Comparison",
    "ExperimentStopped",
    "SeedStats",
    "compare",
    "seed_list",
    "seed_stats",
]
