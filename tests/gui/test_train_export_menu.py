"""Train tab, Export menu: ONNX per trained model (checked in onnxruntime, the difference shown),
and PyTorch code that loads the saved weights — real widgets, a briefly trained tab."""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys

import numpy as np
import onnx
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from engine.train import LOGIT_TOLERANCE
from gui.train_tab.state import SLOTS


def choose_file_in_next_dialog(path: str, seen: list[str]) -> None:
    """Pick ``path`` in the next modal file dialog (the real QFileDialog)."""

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, poll)
            return
        seen.append(dialog.windowTitle())
        dialog.selectFile(path)
        dialog.accept()

    QTimer.singleShot(0, poll)


def shown_message(train_tab) -> str:
    box = train_tab.export_actions.message_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    return box.text()


def test_untrained_models_cannot_be_exported(train_tab):
    actions = train_tab.export_actions
    actions.refresh()
    for slot in SLOTS:
        assert not actions.onnx_actions[slot].isEnabled()
        assert "not trained" in actions.onnx_actions[slot].text()
        assert not actions.code_actions[slot].isEnabled()
    assert "not trained" in actions.export_onnx_to("cnn", "unused.onnx")
    train_tab.export_actions.close_message()


def test_onnx_export_from_the_menu_states_the_logit_difference(qtbot, trained_train_tab, tmp_path):
    train_tab = trained_train_tab
    actions = train_tab.export_actions
    actions.refresh()
    assert all(actions.onnx_actions[slot].isEnabled() for slot in SLOTS)
    for slot in SLOTS:
        seen: list[str] = []
        target = tmp_path / f"model_{slot}.onnx"
        choose_file_in_next_dialog(str(target), seen)
        actions.onnx_actions[slot].trigger()
        assert seen and "ONNX" in seen[0]
        assert target.is_file()
        onnx.checker.check_model(onnx.load(str(target)))
        text = shown_message(train_tab)
        assert f"model_{slot}.onnx" in text
        found = re.search(r"max \|logit difference\| = ([0-9.e+-]+)", text)
        assert found, text
        difference = float(found.group(1))
        assert difference <= LOGIT_TOLERANCE
        assert f"on the {len(train_tab.val_y):,} validation images" in text
        assert "within the tolerance" in text
        # The stated number is onnxruntime's: run the file independently and compare.
        import onnxruntime as ort

        session = ort.InferenceSession(str(target), providers=["CPUExecutionProvider"])
        (theirs,) = session.run(None, {"input": train_tab.val_x.astype(np.float32)})
        ours = train_tab.models[slot].forward(train_tab.val_x.astype(np.float32))
        measured = float(np.max(np.abs(theirs.astype(np.float64) - ours)))
        assert abs(measured - difference) <= 0.01 * max(difference, 1e-12) + 1e-9
        assert "max |logit difference|" in train_tab.status_label.text()
    actions.close_message()


def test_without_onnx_the_entry_says_what_to_install(qtbot, trained_train_tab, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # an import of onnx now fails
    actions = trained_train_tab.export_actions
    actions.refresh()
    for slot in SLOTS:
        action = actions.onnx_actions[slot]
        assert not action.isEnabled()
        assert 'pip install "kernelscope[onnx]"' in action.text()
        assert "kernelscope[onnx]" in action.toolTip()
        assert actions.code_actions[slot].isEnabled()  # PyTorch code needs no onnx


def test_without_onnxruntime_the_export_works_and_says_it_was_not_compared(
    qtbot, trained_train_tab, tmp_path, monkeypatch
):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    text = trained_train_tab.export_actions.export_onnx_to("mlp", str(tmp_path / "plain"))
    assert (tmp_path / "plain.onnx").is_file()  # the suffix is added
    assert "onnxruntime is not installed" in text and "kernelscope[onnx]" in text
    assert "logit difference" not in text
    trained_train_tab.export_actions.close_message()


def test_an_unwritable_target_is_named_and_leaves_an_old_file(qtbot, trained_train_tab, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_bytes(b"not a folder")
    text = trained_train_tab.export_actions.export_onnx_to("cnn", str(blocker / "model.onnx"))
    assert text.startswith("ONNX export of the CNN failed:")
    assert shown_message(trained_train_tab) == text
    assert blocker.read_bytes() == b"not a folder"
    trained_train_tab.export_actions.close_message()
    assert trained_train_tab.export_actions.message_box is None


def state_dict_entries(code: str) -> dict[str, str]:
    """``{pytorch key: npz key}`` from the generated ``state_dict = {...}`` literal."""
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "state_dict"
        ):
            entries = {}
            for key, value in zip(node.value.keys, node.value.values, strict=True):
                # torch.from_numpy(weights['conv1.weight'])
                assert isinstance(value, ast.Call) and ast.unparse(value.func) == "torch.from_numpy"
                subscript = value.args[0]
                assert ast.unparse(subscript.value) == "weights"
                entries[key.value] = subscript.slice.value
            return entries
    raise AssertionError("no state_dict in the code")


def npz_path_in(code: str) -> str:
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "np.load":
            return node.args[0].value
    raise AssertionError("no np.load in the code")


def test_copy_pytorch_code_saves_the_weights_and_loads_them_by_sequential_index(
    qtbot, trained_train_tab, tmp_path
):
    train_tab = trained_train_tab
    train_tab.export_actions.refresh()  # as when the menu opens
    for slot in SLOTS:
        seen: list[str] = []
        target = tmp_path / f"weights {slot}.npz"  # a space: the path is quoted in the code
        choose_file_in_next_dialog(str(target), seen)
        train_tab.export_actions.code_actions[slot].trigger()
        assert seen and "weights" in seen[0]
        code = QGuiApplication.clipboard().text()
        compile(code, "<pytorch code>", "exec")  # valid Python
        assert "load_state_dict(state_dict)" in code and ".eval()" in code
        assert npz_path_in(code) == str(target)
        model = train_tab.models[slot]
        params = model.parameters()
        entries = state_dict_entries(code)
        assert sorted(entries.values()) == sorted(params)  # every trained array, once
        # PyTorch's nn.Sequential keys are "<index>.weight": the index of that layer's row.
        index = {row.name: row.index for row in model.summary.rows}
        for torch_key, npz_key in entries.items():
            layer, kind = npz_key.split(".")
            assert torch_key == f"{index[layer]}.{kind}"
        # The numpy half of the snippet: the file loads without pickle, arrays as trained.
        with np.load(npz_path_in(code), allow_pickle=False) as weights:
            for key, value in params.items():
                np.testing.assert_array_equal(weights[key], value)
        assert target.name in train_tab.status_label.text()


def test_the_pytorch_code_runs_in_torch_when_installed(qtbot, trained_train_tab, tmp_path):
    # torch is not part of the test extras: without it the code is checked as text above.
    train_tab = trained_train_tab
    code = train_tab.export_actions.copy_pytorch_to("cnn", str(tmp_path / "cnn.npz"))
    assert code
    if importlib.util.find_spec("torch") is None:
        assert "import torch" in code
        return
    x = train_tab.val_x[:5].astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    script = code + (
        f"\nout = cnn_model(torch.from_numpy(np.load({str(tmp_path / 'x.npy')!r})))"
        f"\nnp.save({str(tmp_path / 'out.npy')!r}, out.detach().numpy())\n"
    )
    (tmp_path / "run.py").write_text(script, encoding="utf-8")
    subprocess.run([sys.executable, str(tmp_path / "run.py")], check=True, timeout=120)
    np.testing.assert_allclose(
        np.load(tmp_path / "out.npy"), train_tab.models["cnn"].forward(x), atol=1e-5
    )


def test_the_export_button_opens_the_menu(qtbot, trained_train_tab):
    button = trained_train_tab.export_button
    assert button.menu() is trained_train_tab.export_actions.menu
    names = [a.objectName() for a in button.menu().actions() if a.objectName()]
    assert names == [
        "exportWeights",
        "exportOnnx_cnn",
        "exportOnnx_mlp",
        "copyTorch_cnn",
        "copyTorch_mlp",
    ]
    QTimer.singleShot(0, lambda: button.menu().close())
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
