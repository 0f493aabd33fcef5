"""Swagger UI and Redoc pages that load nothing from outside this server (they must work offline)."""

from django.template import engines
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView
from rest_framework.renderers import TemplateHTMLRenderer

# drf-spectacular's Redoc page links Google Fonts in its head; this one keeps the rest of it.
REDOC_WITHOUT_WEB_FONTS = engines["django"].from_string(
    """{% extends "drf_spectacular/redoc.html" %}
{% block head %}
    <title>{{ title|default:"Redoc" }}</title>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <style>body { margin: 0; padding: 0; }</style>
{% endblock head %}"""
)


# These two pages, and only they, replace the site's Content-Security-Policy (config/settings.py;
# django-csp leaves a response that already has the header alone). Why inline is allowed here:
# drf-spectacular's templates start Swagger UI and Redoc from an inline <script>, and both bundles
# inject <style> elements and style attributes as they render. What still holds: nothing from
# off this server (Redoc's bundle links a logo on cdn.redoc.ly and hides it when it fails to
# load), no framing, and the pages need a signed-in session (no user input is rendered into them).
SAME_ORIGIN_ONLY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' blob:",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ]
)


class SameOriginOnly:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Security-Policy"] = SAME_ORIGIN_ONLY
        return response


class OfflineRedocRenderer(TemplateHTMLRenderer):
    def resolve_template(self, template_names):
        return REDOC_WITHOUT_WEB_FONTS


class OfflineRedocView(SameOriginOnly, SpectacularRedocView):
    renderer_classes = [OfflineRedocRenderer]


class OfflineSwaggerView(SameOriginOnly, SpectacularSwaggerView):
    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # Swagger UI otherwise asks validator.swagger.io to check the schema, sending it the URL.
        response.data["settings"] = self._dump({**spectacular_settings.SWAGGER_UI_SETTINGS, "validatorUrl": None})
        return response
