"""A minimal Chrome DevTools Protocol client over `--remote-debugging-pipe`.

Chromium reads commands from file descriptor 3 and writes replies and events to 4, each message
JSON ended by a NUL byte: no websocket, no port, no extra package.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # A request to any other host fails at once instead of leaving the machine; the test still
    # sees it, because CDP reports a request before it is resolved.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--remote-debugging-pipe",
]


class CDPError(Exception):
    """The browser answered a command with an error, or did not answer in time."""


class Browser:
    """Headless Chromium driven over the DevTools pipe."""

    def __init__(self, executable: Path = CHROMIUM, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="mw-chromium-")
        to_browser_r, self._write_fd = os.pipe()
        self._read_fd, from_browser_w = os.pipe()

        def remap() -> None:  # runs in the child, before exec: the pipe ends become fds 3 and 4
            # Through spare descriptors first, so neither end is overwritten by the other's dup2.
            r, w = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.process = subprocess.Popen(
            [str(executable), *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=remap,
            close_fds=False,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._next = 0
        self._lock = threading.Lock()
        self._replies: dict[int, dict[str, Any]] = {}
        self._arrived = threading.Condition()
        self.listeners: list[Callable[[dict[str, Any]], None]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buffer = b""
        with os.fdopen(self._read_fd, "rb", buffering=0) as stream:
            while chunk := stream.read(1 << 16):
                buffer += chunk
                *messages, buffer = buffer.split(b"\0")
                for raw in messages:
                    message = json.loads(raw)
                    if "id" in message:
                        with self._arrived:
                            self._replies[message["id"]] = message
                            self._arrived.notify_all()
                    else:
                        for listener in list(self.listeners):
                            listener(message)
        with self._arrived:
            self._arrived.notify_all()

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        with self._lock:
            self._next += 1
            ident = self._next
            message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
            if session:
                message["sessionId"] = session
            try:
                os.write(self._write_fd, json.dumps(message).encode() + b"\0")
            except OSError as exc:  # the browser is gone (closed, or crashed)
                raise CDPError(f"{method}: cannot reach Chromium ({exc})") from None
        deadline = time.monotonic() + self.timeout
        with self._arrived:
            while ident not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    raise CDPError(f"{method}: no reply from Chromium (exit code {self.process.poll()})")
                self._arrived.wait(left)
            reply = self._replies.pop(ident)
        if "error" in reply:
            raise CDPError(f"{method}: {reply['error'].get('message')}")
        return dict(reply.get("result", {}))

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (CDPError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        try:
            os.close(self._write_fd)
        except OSError:
            pass
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    """One tab, with every request it and its workers make recorded in `requests`."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.requests: list[str] = []
        self._sessions: set[str] = set()
        self._loaded = threading.Event()
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.target = target
        self.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self._sessions.add(self.session)
        browser.listeners.append(self._on_event)
        self._instrument(self.session)
        self.send("Page.enable")
        self.send("Runtime.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})

    def set_width(self, width: int, height: int = 900) -> None:
        """The viewport of a desktop window (`width` >= 1024) or of a phone (narrower)."""
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 1024})

    def _instrument(self, session: str) -> None:
        self.browser.send("Network.enable", session=session)
        # Workers (the search index is fetched by one) get sessions of their own: follow them.
        self.browser.send("Target.setAutoAttach",
                          {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True}, session=session)

    def _on_event(self, message: dict[str, Any]) -> None:
        session = message.get("sessionId")
        if session not in self._sessions:
            return
        method, params = message.get("method"), message.get("params", {})
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Page.loadEventFired":
            self._loaded.set()
        elif method == "Target.attachedToTarget":
            child = params["sessionId"]
            self._sessions.add(child)
            threading.Thread(target=self._start_child, args=(child,), daemon=True).start()

    def _start_child(self, child: str) -> None:
        try:
            self._instrument(child)
        except CDPError:
            pass  # a worker type without the Network domain: it cannot fetch either
        finally:
            try:
                self.browser.send("Runtime.runIfWaitingForDebugger", session=child)
            except CDPError:
                pass

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.send(method, params, session=self.session)

    def goto(self, url: str) -> None:
        self._loaded.clear()
        reply = self.send("Page.navigate", {"url": url})
        if "errorText" in reply:
            raise CDPError(f"{url}: {reply['errorText']}")
        if "loaderId" not in reply:
            return  # a same-document navigation (only the fragment changed): no load event comes
        if not self._loaded.wait(self.browser.timeout):
            raise CDPError(f"{url}: the page did not finish loading")

    def evaluate(self, expression: str) -> Any:
        reply = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in reply:
            raise CDPError(f"{expression[:60]}...: {reply['exceptionDetails'].get('text')}")
        return reply["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise CDPError(f"timed out waiting for {expression}")

    def screenshot(self, path: Path, height: int | None = None) -> Path:
        """A PNG of the viewport, or of the top `height` pixels of the page."""
        params: dict[str, Any] = {"format": "png"}
        if height:
            width = self.evaluate("document.documentElement.clientWidth")
            params.update(captureBeyondViewport=True, clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1})
        data = self.send("Page.captureScreenshot", params)["data"]
        import base64

        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        self.browser.listeners.remove(self._on_event)
        try:
            self.browser.send("Target.closeTarget", {"targetId": self.target})
        except CDPError:
            pass
