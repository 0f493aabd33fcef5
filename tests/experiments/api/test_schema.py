"""The OpenAPI document and the offline docs pages."""

import re

import pytest
from drf_spectacular.validation import validate_schema


def test_schema_is_a_valid_openapi_3_document(api_as, outsider):
    response = api_as(outsider).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises on an invalid document
    paths = schema["paths"]
    for path in [
        "/api/experiments/",
        "/api/experiments/{key}/",
        "/api/experiments/{key}/transition/",
        "/api/experiments/{key}/events/",
        "/api/experiments/{key}/plan/",
        "/api/experiments/{key}/policy/",
        "/api/calculator/",
        "/api/token/",
        "/api/metrics/",
        "/api/touchpoints/",
        "/api/segments/",
        "/api/sensitive-categories/",
        "/api/guardrail-policy/",
    ]:
        assert path in paths, path
    assert "delete" not in paths["/api/experiments/{key}/"]
    transition = paths["/api/experiments/{key}/transition/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(transition["responses"])


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_render_from_local_static_files_only(api_as, outsider, url):
    response = api_as(outsider).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    references += re.findall(r"""["'](https?://[^"']+)["']""", html)
    assert any(ref.startswith("/static/drf_spectacular_sidecar/") for ref in references), references
    assert all(ref.startswith("/static/") for ref in references), references
    assert "/api/schema/" in html
    assert "validator.swagger.io" not in html
    # The browser is told to load nothing off-site (Redoc's bundle links a logo on a CDN).
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "img-src 'self' data: blob:" in policy
    if url == "/api/docs/":
        assert '"validatorUrl": null' in html


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_send_strangers_to_the_login_page(anonymous, url):
    response = anonymous.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
