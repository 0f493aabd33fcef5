"""The error responses every operation may give, added to the OpenAPI document in one place.

Every API error is a `Refusal` (experiments.api.exceptions). Which statuses an operation can
answer follows from what it takes and who may call it, so they are derived here rather than
repeated on every view:

- 400 when it takes a body, query parameters or path parameters (every input is held to
  experiments.inputs.cleaning, and serializers validate the rest);
- 401 and 403 when it needs a signed-in caller (every operation but the token exchange);
- 404 when its path names something (a key or an id), or when it is paginated (a page past the end);
- 409 for a POST to an action on one thing (a state transition: someone may have moved it first);
- 413 and 415 when it takes a body (size limit; JSON only);
- 429 when the view is throttled.

A response a view documents itself is kept; one it documents without a body (or with a bare object)
gets the Refusal body, because that is what the handler sends.
"""

from django.utils.translation import gettext_lazy as _

REFUSAL = {"$ref": "#/components/schemas/Refusal"}
BODY_METHODS = {"post", "put", "patch"}

DESCRIPTIONS = {
    "400": _("Invalid input: see `problems`, one row per input at fault."),
    "401": _("No credentials, or a token that is unknown, expired or revoked."),
    "403": _("You may not do this."),
    "404": _("Nothing here that you may see."),
    "409": _("Not allowed from its current state, or someone acted first."),
    "413": _("The body is larger than this address takes."),
    "415": _("The body is not JSON."),
    "429": _("Too many requests: retry after the time given in Retry-After."),
}


def _views_by_operation(generator) -> dict:
    views = {}
    for path, _regex, method, callback in generator.endpoints or []:
        views[(path, method.lower())] = getattr(callback, "cls", None)
    return views


def _is_generic(content: dict) -> bool:
    """No body documented, or only 'some object': the handler's Refusal is the truth."""
    if not content:
        return True
    for media in content.values():
        schema = media.get("schema") or {}
        if "$ref" in schema or schema.get("properties") or schema.get("type") not in (None, "object"):
            return False
    return True


def _statuses(path: str, method: str, operation: dict, view) -> list[str]:
    parameters = operation.get("parameters", [])
    where = {parameter.get("in") for parameter in parameters}
    takes_body = method in BODY_METHODS or "requestBody" in operation
    statuses = []
    if takes_body or where & {"query", "path"}:
        statuses.append("400")
    if any(operation.get("security", [])):  # none listed: no sign-in asked (the token exchange)
        statuses += ["401", "403"]
    paginated = any(p.get("in") == "query" and p.get("name") == "page" for p in parameters)
    if "path" in where or paginated:
        statuses.append("404")
    if method == "post" and "path" in where and not path.rstrip("/").endswith("}"):
        statuses.append("409")
    if takes_body:
        statuses += ["413", "415"]
    if view is not None and getattr(view, "throttle_classes", None):
        statuses.append("429")
    return statuses


def error_responses(result, generator, request, public):
    if "Refusal" not in result.get("components", {}).get("schemas", {}):
        raise RuntimeError("No view documents the Refusal schema (experiments.api.serializers.RefusalSerializer).")
    views = _views_by_operation(generator)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status in _statuses(path, method, operation, views.get((path, method))):
                responses.setdefault(status, {"description": str(DESCRIPTIONS[status])})
            for status, response in responses.items():
                if str(status).startswith("4") and _is_generic(response.get("content")):
                    response["content"] = {"application/json": {"schema": REFUSAL}}
    return result


def ingestion_bodies_required(result, generator, request, public):
    """The ingestion doors take their rows as JSON or CSV, and a request without either is refused
    (415): the body is required. drf-spectacular leaves it optional for a body given per media type."""
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if body and {"application/json", "text/csv"} <= set(body.get("content", {})):
                body["required"] = True
    return result
