"""Train tab sessions stay bounded (a huge trained network is left out, with a note) and a
damaged session entry is refused with a clear note, never half-applied."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from engine.train import build_model, save_model
from gui.train_tab import TrainTab
from gui.train_tab.state import MAX_HISTORY_EPOCHS, SESSION_MAX_PARAMS, SLOTS
from tests.gui.test_train_tab import dispose_tab, make_tab, train

#: An MLP for 8×8 digits just over the session limit: 64·8000 + 8000 + 8000·10 + 10 parameters.
WIDE = 8000


@pytest.fixture
def trained(qtbot):
    page = make_tab(qtbot)
    page.resize(1100, 750)
    page.show()
    train(qtbot, page)
    yield page
    page.shutdown()


def restored(qtbot, state: dict) -> TrainTab:
    other = make_tab(qtbot)
    other.restore_state(json.loads(json.dumps(state)))
    return other


def wide_mlp_file(tmp_path) -> str:
    model = build_model(
        {
            "input_shape": [1, 8, 8],
            "layers": [
                {"type": "flatten"},
                {"type": "linear", "out_features": WIDE},
                {"type": "relu"},
                {"type": "linear", "out_features": 10},
            ],
        },
        seed=3,
    )
    assert model.n_params > SESSION_MAX_PARAMS
    path = tmp_path / "wide.npz"
    save_model(path, model)
    return str(path)


def test_a_network_too_large_for_the_session_is_left_out_with_a_note(qtbot, trained, tmp_path):
    tab = trained
    assert tab.import_model("mlp", wide_mlp_file(tmp_path))
    n_params = tab.models["mlp"].n_params
    text = json.dumps(tab.save_state())
    # The CNN's weights are in (6,090 numbers); the MLP's 600,000 are not: the session stays
    # small (the MLP alone would be 3.2 MB of base64).
    assert len(text) < 200_000
    assert tab.save_state()["trained"]["mlp"] == {"omitted": n_params}
    other = restored(qtbot, tab.save_state())
    try:
        assert other.trained("cnn")
        np.testing.assert_array_equal(
            other.models["cnn"].predict_proba(tab.val_x), tab.models["cnn"].predict_proba(tab.val_x)
        )
        assert not other.trained("mlp")
        # The wide network itself is restored (untrained), so Import weights… fits it again.
        assert other.networks["mlp"]["layers"] == tab.networks["mlp"]["layers"]
        note = other.status_label.text()
        assert note.startswith("Not restored: MLP weights:")
        assert f"{n_params:,} trained weights" in note and "Export" in note
    finally:
        other.shutdown()


def base64_floats(values) -> str:
    return base64.b64encode(np.asarray(values, dtype="<f4").tobytes()).decode("ascii")


def damaged_entries(state: dict) -> dict[str, tuple[dict, str]]:
    """name → (a damaged copy of ``state``, words the note must contain)."""
    cases: dict[str, tuple[dict, str]] = {}

    def case(name: str, words: str, change) -> None:
        copy = json.loads(json.dumps(state))
        change(copy)
        cases[name] = (copy, words)

    def nan_weight(s):
        entry = s["trained"]["cnn"]["params"]["conv1.bias"]
        entry["data"] = base64_floats([np.nan] * entry["shape"][0])

    def huge_epoch(s):
        s["trained"]["cnn"]["history"]["epoch"][0] = 1e999  # JSON writes Infinity

    def long_history(s):
        history = s["trained"]["cnn"]["history"]
        for key in history:
            history[key] = history[key][:1] * (MAX_HISTORY_EPOCHS + 1)

    def short_data(s):
        s["trained"]["cnn"]["params"]["conv1.weight"]["data"] = base64_floats([1.0])

    case("NaN weights", "NaN", nan_weight)
    case("infinite epoch", "not finite", huge_epoch)
    case("too long a history", f"{MAX_HISTORY_EPOCHS + 1:,} epochs", long_history)
    case("truncated weights", "bytes for shape", short_data)
    case(
        "not base64",
        "not base64",
        lambda s: s["trained"]["cnn"]["params"]["conv1.weight"].update(data="@@"),
    )
    case("missing weights", "do not match", lambda s: s["trained"]["cnn"]["params"].popitem())
    case("bool seed", "whole numbers", lambda s: s["trained"]["cnn"].update(seed=True))
    case("no weights", "no network or weights", lambda s: s["trained"].update(cnn=[1, 2]))
    case(
        "5 M parameters",
        "parameters; a session keeps at most",
        lambda s: s["trained"]["cnn"]["network"]["layers"][3].update(out_channels=4000),
    )
    return cases


def test_damaged_weights_in_a_session_are_refused_with_a_note(qtbot, trained):
    state = trained.save_state()
    for name, (damaged, words) in damaged_entries(state).items():
        other = restored(qtbot, damaged)
        try:
            note = other.status_label.text()
            assert note.startswith("Not restored: CNN weights:"), (name, note)
            assert words in note, (name, note)
            assert not other.trained("cnn"), name
            # The other slot is untouched by the damage.
            assert other.trained("mlp"), name
            np.testing.assert_array_equal(
                other.models["mlp"].predict_proba(trained.val_x),
                trained.models["mlp"].predict_proba(trained.val_x),
            )
        finally:
            other.shutdown()


@pytest.mark.parametrize(
    ("network", "words"),
    [
        ({"layers": [5, "x"]}, "layer 1"),
        ({"layers": [{"type": "teleport"}]}, "teleport"),
        ({"layers": [{"type": "linear", "out_features": 10**12}]}, "out_features"),
        ({"layers": [], "input_shape": [1, 10**9, 8]}, "input_shape"),
        ({"layers": [{"type": "linear", "out_features": float("nan")}]}, "layer 1"),
        ("cnn", "list of layers"),
    ],
)
def test_a_damaged_network_in_a_session_keeps_the_current_one(qtbot, tab_state, network, words):
    state, layers = tab_state
    state["networks"]["cnn"] = network
    other = restored(qtbot, state)
    try:
        note = other.status_label.text()
        assert note.startswith("Not restored: CNN network:"), note
        assert words in note, note
        assert other.networks["cnn"]["layers"] == layers
        assert other.models["cnn"] is not None  # the preset, ready to train
    finally:
        other.shutdown()


@pytest.fixture
def tab_state(qtbot):
    page = make_tab(qtbot)
    state = json.loads(json.dumps(page.save_state()))
    layers = [dict(layer) for layer in page.networks["cnn"]["layers"]]
    dispose_tab(page)
    assert set(state["networks"]) == set(SLOTS)
    return state, layers
