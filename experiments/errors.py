"""The one domain error type: a refusal written for the person who asked.

Every rule (policy, permission, verdict, lifecycle move) refuses by raising a `DomainError`
carrying the message, the fields at fault and the HTTP status. One DRF exception handler
(`experiments.api.exceptions`) and one page handler (`experiments.middleware`) turn it into a
response, so an API client and a person on a page read the same words.
"""

# The refusal's `code` when a DomainError is raised with a status but no code of its own.
CODE_FOR_STATUS = {
    400: "invalid",
    403: "permission_denied",
    404: "not_found",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "throttled",
}


class DomainError(Exception):
    """A refused request. `problems` lists {"field", "message"} for each input at fault; `code` is a
    stable machine word for the kind of refusal (the API's `code`)."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, problems=None, *, field: str = "", status_code: int | None = None):
        super().__init__(message)
        self.message = str(message)
        self.problems = [{"field": p["field"], "message": str(p["message"])} for p in (problems or [])]
        if field and not self.problems:
            self.problems = [{"field": field, "message": self.message}]
        if status_code is not None and status_code != self.status_code:
            self.status_code = status_code
            self.code = CODE_FOR_STATUS.get(status_code, self.code)

    @property
    def field(self) -> str:
        return self.problems[0]["field"] if self.problems else ""

    def as_dict(self) -> dict:
        return {"detail": self.message, "code": self.code, "problems": self.problems}


class Invalid(DomainError):
    """Bad input: 400."""


class UnknownAction(DomainError):
    status_code = 400
    code = "unknown_action"


class PolicyViolation(DomainError):
    """The contract is outside the policy: 400 with one problem per field."""

    code = "policy_violation"


class NotPermitted(DomainError):
    status_code = 403
    code = "permission_denied"


class IllegalMove(DomainError):
    """Not allowed from the current state (status, time, quorum): 409."""

    status_code = 409
    code = "illegal_move"


class Conflict(DomainError):
    """Someone else acted first: 409."""

    status_code = 409
    code = "conflict"
