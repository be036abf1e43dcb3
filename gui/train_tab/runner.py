"""Running training and the experiments in the worker thread (part of :class:`TrainTab`).

The GUI keeps its own models; a job trains copies.  The jobs run on the tab's
:class:`gui.widgets.JobRunner` (``job_runner``, made by :func:`gui.train_tab.worker.make_runner`):
its signals arrive queued in the GUI thread and only the current job's are re-emitted (after
Reset, a stopped job's last queued epoch must not reappear).
"""

from __future__ import annotations

import math
from contextlib import ExitStack
from typing import Any

from engine.train import Trainer, single_threaded_blas
from gui.train_tab import jobs
from gui.train_tab.host import TrainTabParts
from gui.train_tab.state import SESSION_MAX_PARAMS, SLOT_TITLES, SLOTS
from gui.train_tab.worker import Epoch, Progress, runner_job
from gui.widgets import JobRunner

#: The experiments' names in status messages.
EXPERIMENT_TITLES = {
    "overfitting": "Overfitting & L2",
    "curves": "Learning curves",
    "shift": "Shift test",
    "gradcheck": "Gradient check",
}


def format_seconds(seconds: float) -> str:
    """``"12 s left"``, ``"2 min 05 s left"``; ``nan`` while the estimate is not ready."""
    if not math.isfinite(seconds):
        return "estimating time left…"
    if seconds < 60:
        return f"{seconds:.0f} s left"
    return f"{seconds // 60:.0f} min {seconds % 60:02.0f} s left"


class RunnerMixin(TrainTabParts):
    """Train / Pause / Resume / Reset, the experiments, and the worker's signals."""

    job_runner: JobRunner
    #: The running (or last) job's kind: ``"train"`` or an experiment's name.
    job_kind: str = ""

    # -- the worker ------------------------------------------------------------------------------
    def connect_runner(self) -> None:
        """Route :attr:`job_runner`'s signals to the tab (once, when the tab is built)."""
        runner = self.job_runner
        runner.published.connect(self._on_published)
        runner.finished.connect(self._on_result)
        runner.failed.connect(self._on_failed)
        runner.cancelled.connect(self._on_job_ended)

    @property
    def busy(self) -> bool:
        """True while a training run or an experiment is in the worker thread."""
        return self.job_runner.busy

    def _start_worker(self, kind: str, job: jobs.Job) -> None:
        self.job_kind = kind
        self.progress.setValue(0)
        self.time_label.setText("")
        self._hold_one_blas_thread(True)
        self.job_runner.start(runner_job(kind, job))
        self._update_buttons()

    def _hold_one_blas_thread(self, hold: bool) -> None:
        """One BLAS thread for the process while a job runs, set from the GUI thread.

        The Trainer limits BLAS per batch itself, but from the worker thread that limit did
        not take (numpy 2.4's OpenBLAS 0.3.31 ignored ``openblas_set_num_threads`` from a
        second thread once the main thread had set it): the worker and the GUI's
        predictions then ran two-thread GEMMs whose spinning helper took the other core —
        on the What-it-learned page training was 3–5× slower.  Held here for the whole job,
        the limit is set and restored by the GUI thread only.
        """
        stack: ExitStack | None = getattr(self, "_blas_hold", None)
        if hold and stack is None:
            stack = ExitStack()
            stack.enter_context(single_threaded_blas())
            self._blas_hold: ExitStack | None = stack
        elif not hold and stack is not None:
            self._blas_hold = None
            stack.close()

    def stop_worker(self) -> None:
        """Stop the running job (if any) and wait for its thread; no thread is left running
        and none of the job's queued signals reaches the tab."""
        was_busy = self.job_runner.busy
        self.job_runner.shutdown()  # waits for the thread; the runner stays usable
        if was_busy:
            self.experiments.idle()
            self.time_label.setText("stopped")
            self.curves.set_epoch_span(None)
        self._hold_one_blas_thread(False)
        self._update_buttons()

    def start_training(self) -> None:
        """Train fresh models of both networks with the current settings, in the worker."""
        if self.busy:
            return
        self._read_options()
        self.rebuild_models()
        o = self.options
        trainers = {}
        for slot in SLOTS:
            model = self.models[slot]
            if model is None:
                continue
            trainers[slot] = Trainer(
                model.copy(),
                self.train_x,
                self.train_y,
                epochs=o.epochs,
                batch_size=o.batch_size,
                learning_rate=o.learning_rate,
                lam=o.lam,
                optimizer=o.optimizer,
                augment_shift=o.augment_shift,
                seed=o.seed,
                validation=(self.val_x, self.val_y),
            )
        if not trainers:
            self.status_label.setText("Neither network can be trained: fix the layer tables.")
            return
        self.status_label.setText(f"Training on {len(self.train_y)} digits…")
        self.curves.set_epoch_span(o.epochs)
        self._start_worker("train", jobs.training_job(trainers))

    def toggle_pause(self) -> None:
        """Pause a running job, or resume a paused one."""
        if not self.busy:
            return
        if self.job_runner.paused:
            self.job_runner.resume()
            self.time_label.setText("")
        else:
            self.job_runner.pause()
            self.time_label.setText("paused")
        self._update_buttons()

    def reset(self) -> None:
        """Stop, and go back to untrained models and empty curves."""
        self.stop_worker()
        self.rebuild_models()
        self.progress.setValue(0)
        self.time_label.setText("")
        self.status_label.setText("Reset: untrained models.")
        self.state_changed.emit()

    def run_experiment(self, kind: str, options: dict[str, Any]) -> None:
        """Run ``"overfitting"``, ``"curves"``, ``"shift"`` or ``"gradcheck"`` in the worker."""
        if self.busy:
            return
        self._read_options()
        o = self.options
        if kind == "overfitting":
            # The digits in use (the Images subset, in file order): each seed draws its own
            # training digits from them, the rest validate; with all UCI digits this is the
            # engine's default experiment, number for number.
            data = (self.dataset.as_input(), self.dataset.labels)
            job = jobs.overfitting_job(options["settings"], data)
            self.status_label.setText("Overfitting & L2: training the wide MLP per λ and seed…")
        elif kind in ("curves", "shift"):
            if any(self.models[s] is None for s in SLOTS):
                self.status_label.setText("Both networks must be trainable: fix the layer tables.")
                return
            networks = {SLOT_TITLES[s]: self._network_spec(s) for s in SLOTS}
            make = jobs.learning_curves_job if kind == "curves" else jobs.shift_experiment_job
            job = make(
                networks,
                (self.train_x, self.train_y),
                (self.val_x, self.val_y),
                **options,
                batch_size=o.batch_size,
                learning_rate=o.learning_rate,
                lam=o.lam,
                optimizer=o.optimizer,
                augment_shift=o.augment_shift,
            )
            what = "Learning curves" if kind == "curves" else "Shift test"
            self.status_label.setText(f"{what}: training both networks per seed…")
        else:
            models = {s: m.copy() for s, m in self.models.items() if m and self.trained(s)}
            if not models:
                self.status_label.setText("Train the models first (Train both).")
                return
            job = jobs.gradient_check_job(models, self.val_x, self.val_y, o.lam)
            self.status_label.setText("Gradient check…")
        self.experiments.starting(kind)
        self._start_worker(kind, job)

    def _network_spec(self, slot: str) -> dict[str, Any]:
        """``slot``'s network for the engine: its layers and the data's input shape."""
        layers = [dict(spec) for spec in self.networks[slot]["layers"]]
        return {"layers": layers, "input_shape": list(self.input_shape())}

    def _update_buttons(self) -> None:
        busy = self.busy
        self.train_button.setEnabled(not busy)
        self.pause_button.setEnabled(busy)
        paused = busy and self.job_runner.paused
        self.pause_button.setText("Resume" if paused else "Pause")
        for button in self.experiments.buttons():
            button.setEnabled(not busy)
        self.export_button.setEnabled(any(self.trained(s) for s in SLOTS))

    # -- the current job's signals (queued: they arrive in the GUI thread) -------------------------
    def _on_published(self, item: object) -> None:
        if isinstance(item, Epoch):
            self.histories[item.slot].records.append(item.record)  # type: ignore[arg-type]
            self.models[item.slot] = item.model  # type: ignore[assignment]
            self.curves_changed(item.slot)
        elif isinstance(item, Progress):
            self.progress.setValue(round(1000 * item.fraction))
            if not self.job_runner.paused:
                self.time_label.setText(format_seconds(item.seconds_left))

    def _on_result(self, outcome: tuple[str, Any]) -> None:
        kind, result = outcome
        if kind == "train":
            for slot, (model, history) in result.items():
                self.models[slot] = model
                self.histories[slot] = history
                self.curves.show_history(slot, history)
            self._models_changed()
            big = [
                SLOT_TITLES[s]
                for s, (model, _h) in result.items()
                if model.n_params > SESSION_MAX_PARAMS
            ]
            keep = (
                f" The {' and '.join(big)} has more than {SESSION_MAX_PARAMS:,} parameters: the "
                "session will not keep its weights; Export… does."
                if big
                else ""
            )
            self.status_label.setText(self._trained_summary() + keep)
        else:
            self.experiments.show_result(kind, result)
            self.status_label.setText(
                f"{EXPERIMENT_TITLES[kind]} done: the result sentence is at the foot of its page."
            )
        self.state_changed.emit()
        self._on_job_ended()

    def _trained_summary(self) -> str:
        parts = []
        for slot in SLOTS:
            records = self.histories[slot].records
            if records:
                parts.append(f"{SLOT_TITLES[slot]} {100 * records[-1].val_accuracy:.1f} %")
        return "Validation accuracy: " + ", ".join(parts) if parts else "Not trained."

    def _on_failed(self, message: str) -> None:
        self.status_label.setText(f"Stopped: {message}")
        self.experiments.show_error(self.job_kind, message)
        self._on_job_ended()

    def _on_job_ended(self) -> None:
        """The job's thread has ended (the runner is idle again): free the controls."""
        self._hold_one_blas_thread(False)
        self.curves.set_epoch_span(None)
        self.experiments.idle()  # a failed experiment's page says what to press again
        self.time_label.setText("")
        self._update_buttons()
