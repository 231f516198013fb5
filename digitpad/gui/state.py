"""The app's state, apart from any view: which model is asked for and which one runs,
on which device, the model it is compared with, and the user's settings.

Qt-free (napari's evented models are the pattern): views subscribe to its events and
call its methods; it knows nothing of widgets. Background loading is done by whoever
listens to `model_requested` (gui/loader.py) and answers with `model_loaded` or
`model_failed`, tagged with the request's generation so that only the latest counts.
All of it is used from the GUI thread only.
"""

from __future__ import annotations

import weakref
from types import MethodType
from typing import Any, Callable

SHIPPED = ("cnn", "mlp")


class Event:
    """A Qt-free signal. Bound methods are held weakly, so subscribing never keeps a
    view alive: a window that is gone simply stops being called."""

    def __init__(self) -> None:
        self._observers: list[Callable[[], Callable | None]] = []

    def connect(self, callback: Callable) -> None:
        if isinstance(callback, MethodType):
            self._observers.append(weakref.WeakMethod(callback))
        else:
            self._observers.append(lambda: callback)  # plain functions: the caller's choice

    def disconnect(self, callback: Callable) -> None:
        self._observers = [ref for ref in self._observers if ref() not in (None, callback)]

    def emit(self, *args: Any) -> None:
        alive = []
        for ref in list(self._observers):
            callback = ref()
            if callback is not None:
                alive.append(ref)
                callback(*args)
        if len(alive) != len(self._observers):
            self._observers = [ref for ref in self._observers if ref() is not None]


class AppState:
    """What the app is doing, and the events that say when that changes."""

    def __init__(self, settings: dict | None = None):
        self.settings: dict[str, Any] = dict(settings or {})
        self.predictor = None  # the model in use; None until the first one has loaded
        self.generation = 0  # of the latest model request; older answers are ignored
        self.requested: tuple[str | None, str | None] = (None, None)  # (source, device)
        self.compare = False
        self.partner = None  # the other shipped network, while comparing
        self.partner_generation = 0
        self.devices: list = []
        # events
        self.model_requested = Event()  # (generation, source, device)
        self.model_changed = Event()  # (predictor)
        self.model_refused = Event()  # (message, falling back to the CPU: bool)
        self.partner_requested = Event()  # (generation, source, device)
        self.partner_changed = Event()  # (partner or None)
        self.devices_changed = Event()  # (list of devices.Device)
        self.setting_changed = Event()  # (name, value)
        self.problem = Event()  # (message): something the user should read

    # --- the model ---------------------------------------------------------------------

    @property
    def loading(self) -> bool:
        return self.predictor is None or (self.requested != (self.predictor.source, str(self.predictor.device)))

    def request_model(self, source: str, device: str | None = None) -> int:
        """Ask for a model (a shipped name or a checkpoint path) on a device (default:
        the one in use); returns the request's generation."""
        device = device or self.device
        self.generation += 1
        self.requested = (source, device)
        self.model_requested.emit(self.generation, source, device)
        return self.generation

    @property
    def device(self) -> str:
        if self.predictor is not None:
            return str(self.predictor.device)
        return str(self.settings.get("device", "cpu"))

    def model_loaded(self, generation: int, predictor) -> bool:
        """The answer to a request; False (and ignored) when a newer one was made since."""
        if generation != self.generation:
            return False
        self.predictor = predictor
        self.requested = (predictor.source, str(predictor.device))
        self.set_setting("model", predictor.source)
        self.set_setting("device", str(predictor.device))
        self.model_changed.emit(predictor)
        self._request_partner()
        return True

    def model_failed(self, generation: int, source: str, device: str, message: str) -> None:
        """A refused model: the one in use stays. With none in use yet and a device other
        than the CPU (a remembered GPU that is gone), try the CPU instead."""
        if generation != self.generation:
            return
        fall_back = self.predictor is None and device not in ("cpu", "")
        self.model_refused.emit(message, fall_back)
        if fall_back:
            self.request_model(source, "cpu")
        elif self.predictor is not None:
            self.requested = (self.predictor.source, str(self.predictor.device))

    # --- comparing ---------------------------------------------------------------------

    def set_compare(self, on: bool) -> None:
        self.compare = on
        if on:
            self._request_partner()
        elif self.partner is not None:
            self.partner = None
            self.partner_changed.emit(None)

    def _request_partner(self) -> None:
        """The shipped network of the other kind, on the same device."""
        if not self.compare or self.predictor is None:
            return
        other = "mlp" if self.predictor.arch == "cnn" else "cnn"
        self.partner_generation += 1
        self.partner_requested.emit(self.partner_generation, other, str(self.predictor.device))

    def partner_loaded(self, generation: int, partner) -> None:
        if generation == self.partner_generation and self.compare:
            self.partner = partner
            self.partner_changed.emit(partner)

    def predictors(self) -> tuple:
        """The models that read the drawing: the one in use, and its partner if comparing."""
        if self.predictor is None:
            return ()
        return (self.predictor, self.partner) if self.compare and self.partner is not None else (self.predictor,)

    # --- devices and settings ---------------------------------------------------------

    def set_devices(self, devices: list) -> None:
        self.devices = list(devices)
        self.devices_changed.emit(self.devices)

    def set_setting(self, name: str, value: Any) -> None:
        if self.settings.get(name) != value:
            self.settings[name] = value
            self.setting_changed.emit(name, value)

    def report(self, message: str) -> None:
        self.problem.emit(message)
