"""The Pagar client: a cached configuration, in-process assignment, exposures in batches.

    client = PagarClient("https://pagar.example.com", key="pgk_...", refresh_seconds=30)
    answer = client.assign("chat-greeting", "customer-42", touchpoint="chat")
    serve(answer.variant)            # control when not enrolled
    ...
    client.close()                   # sends what is queued

How fresh: a background thread asks GET /api/sdk/config/ every `refresh_seconds` (with the ETag:
an unchanged configuration is a 304). Between two fetches it sends exposures only until the next
fetch is due, so a fetch starts at most one exposure request (`timeout`) late. A stop, a rollout or
a revert therefore reaches the client at most `refresh_seconds + 2 * timeout` seconds after it is
made (the wait, a batch in flight, the fetch itself; 40 s with the defaults), while the server is
reachable; when it is not, the client keeps answering from the last configuration it fetched and
says so in `last_error`.

Exposures: the first enrolled answer for each (experiment, unit) in this process is queued and
sent to POST /api/sdk/exposures/ in batches of at most `exposure_batch`, by the same thread every
`refresh_seconds`, sooner when a batch is full, and at close. The server counts each unit once,
so a batch retried after a network error counts nothing twice.
"""

import json
import logging
import threading
import time
import urllib.error
import urllib.request

from .rules import NOT_IN_CONFIG, Assignment, Rule, clean_unit, decide

logger = logging.getLogger("pagar_client")

CONFIG_PATH = "/api/sdk/config/"
EXPOSURES_PATH = "/api/sdk/exposures/"
SUPPORTED_ALGORITHM = "sha256-first8-v1"
# The queue of exposures not yet sent stops growing here (a server down for long): the oldest
# are kept, newer ones dropped and counted in `dropped_exposures`.
MAX_QUEUED = 100_000
# Units already queued, remembered per process so each is sent once; forgotten when this full.
MAX_SEEN = 1_000_000
RETRIED_STATUSES = frozenset({408, 429})  # worth sending again later; other 4xx never will be


class PagarError(Exception):
    """The server refused a request; `status` and `body` say why."""

    def __init__(self, status: int, body):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class PagarClient:
    def __init__(
        self,
        base_url: str,
        key: str,
        *,
        refresh_seconds: float = 30,
        exposure_batch: int = 500,
        timeout: float = 5,
        background: bool = True,
    ):
        if refresh_seconds <= 0:
            raise ValueError("refresh_seconds: must be more than 0")
        if not 1 <= exposure_batch <= 1000:
            raise ValueError("exposure_batch: between 1 and 1000 (the server's limit per request)")
        self.base_url = base_url.rstrip("/")
        self.refresh_seconds = refresh_seconds
        self.exposure_batch = exposure_batch
        self.timeout = timeout
        self._headers = {"Authorization": f"Key {key}", "Accept": "application/json"}
        self._rules: dict[str, Rule] = {}
        self._etag: str | None = None
        self._lock = threading.Lock()
        self._queue: list[dict] = []
        self._seen: set[tuple[str, str]] = set()
        self._wakeup = threading.Event()
        self._closed = threading.Event()
        self._thread = None
        self.last_error: Exception | None = None
        self.dropped_exposures = 0
        self.refresh()  # the first fetch fails loudly: a wrong key or address is found at start
        if background:
            self._thread = threading.Thread(target=self._run, name="pagar-client", daemon=True)
            self._thread.start()

    # --- configuration ---------------------------------------------------------------------

    def refresh(self) -> bool:
        """Fetch the configuration now; True when it changed (False on a 304)."""
        headers = dict(self._headers)
        if self._etag:
            headers["If-None-Match"] = self._etag
        status, body, etag = self._request("GET", CONFIG_PATH, headers=headers)
        if status == 304:
            return False
        if body.get("algorithm") != SUPPORTED_ALGORITHM:
            raise PagarError(status, f"unsupported hashing algorithm {body.get('algorithm')!r}; upgrade the client")
        rules = {rule["key"]: Rule.from_config(rule) for rule in body["experiments"]}
        self._rules, self._etag = rules, etag  # one assignment: readers see the old or the new whole
        return True

    def rule(self, experiment: str) -> Rule | None:
        """The rule held for an experiment (status and version included), or None."""
        return self._rules.get(experiment)

    # --- assignment ------------------------------------------------------------------------

    def assign(self, experiment: str, unit, segment: str | None = None, touchpoint: str | None = None) -> Assignment:
        """The arm `unit` gets, exactly as the server would answer from the configuration held.
        ValueError for a unit id the server would refuse. An enrolled unit is queued as an exposure."""
        unit = clean_unit(unit)
        rule = self._rules.get(experiment)
        if rule is None:
            return Assignment(experiment, unit, False, None, NOT_IN_CONFIG)
        answer = decide(rule, unit, segment or None, touchpoint or None)
        if answer.enrolled:
            self._expose(answer, segment or None, touchpoint or None)
        return answer

    def _expose(self, answer: Assignment, segment, touchpoint) -> None:
        seen = (answer.experiment, answer.unit)
        with self._lock:
            if seen in self._seen:
                return
            if len(self._queue) >= MAX_QUEUED:
                self.dropped_exposures += 1
                return
            if len(self._seen) >= MAX_SEEN:
                self._seen.clear()  # the server counts each unit once anyway
            self._seen.add(seen)
            entry = {"experiment": answer.experiment, "unit": answer.unit, "variant": answer.variant}
            if segment is not None:
                entry["segment"] = segment
            if touchpoint is not None:
                entry["touchpoint"] = touchpoint
            self._queue.append(entry)
            full = len(self._queue) >= self.exposure_batch
        if full:
            self._wakeup.set()

    def flush_exposures(self, until: float | None = None) -> list[dict]:
        """Send every queued exposure now, a batch per request; the server's answers. A batch the
        server could not take (network, 5xx, 429) goes back to the front of the queue: retrying it
        counts nothing twice. One it refuses (another 4xx: say the key lost the experiment) is
        dropped, counted in `dropped_exposures` and kept in `last_error`, so it cannot block the rest.
        With `until` (a time.monotonic() value), no batch is started after it: the rest waits."""
        answers = []
        while until is None or time.monotonic() < until:
            with self._lock:
                batch, self._queue = self._queue[: self.exposure_batch], self._queue[self.exposure_batch :]
            if not batch:
                return answers
            try:
                answers.append(self._request("POST", EXPOSURES_PATH, body={"exposures": batch})[1])
            except PagarError as refused:
                if 400 <= refused.status < 500 and refused.status not in RETRIED_STATUSES:
                    self.dropped_exposures += len(batch)
                    self.last_error = refused
                    logger.warning("Pagar refused %d exposures: %s", len(batch), refused)
                    continue
                self._requeue(batch)
                raise
            except Exception:
                self._requeue(batch)
                raise
        return answers

    def _requeue(self, batch: list[dict]) -> None:
        with self._lock:
            self._queue[:0] = batch

    @property
    def queued_exposures(self) -> int:
        return len(self._queue)

    # --- the background thread -------------------------------------------------------------

    def _run(self):
        next_refresh = time.monotonic() + self.refresh_seconds
        while not self._closed.is_set():
            # Woken early by a full batch, the thread still refreshes on time: busy traffic must
            # not delay a stop reaching the client.
            self._wakeup.wait(max(0.0, next_refresh - time.monotonic()))
            self._wakeup.clear()
            if self._closed.is_set():
                return
            try:
                if time.monotonic() >= next_refresh:
                    next_refresh = time.monotonic() + self.refresh_seconds
                    self.refresh()
                    self.last_error = None
                self.flush_exposures(until=next_refresh)
            except Exception as error:  # keep serving from the last configuration
                self.last_error = error
                logger.warning("Pagar client: %s", error)

    def close(self) -> None:
        """Stop the thread and send what is queued."""
        self._closed.set()
        self._wakeup.set()
        if self._thread is not None:
            self._thread.join(self.timeout + 1)
        self.flush_exposures()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- HTTP ------------------------------------------------------------------------------

    def _request(self, method: str, path: str, *, headers=None, body=None):
        data = None
        headers = dict(headers or self._headers)
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None, response.headers.get("ETag")
        except urllib.error.HTTPError as error:
            if error.code == 304:
                return 304, None, error.headers.get("ETag")
            raw = error.read()
            try:
                detail = json.loads(raw)
            except ValueError:
                detail = raw[:300]
            raise PagarError(error.code, detail) from None
