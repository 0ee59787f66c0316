"""Tell browsers what a page may load and who may frame it; mark cookies Secure under https."""

import secrets

from apiflask import APIFlask
from flask import g, request
from werkzeug.middleware.proxy_fix import ProxyFix

# Inline <style> blocks are allowed (the pages keep their CSS beside the markup); inline
# scripts are not, unless they carry this response's nonce.
PAGE_POLICY = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; "
               "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
               "frame-ancestors 'none'; style-src 'self' 'unsafe-inline'")
# Swagger UI starts itself with an inline script and builds functions from its configuration.
DOCS_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
               "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
               "frame-ancestors 'none'; style-src 'self' 'unsafe-inline'")
DOCS_PATH = "/api/v1/docs"


def csp_nonce() -> str:
    """Return this response's script nonce: `<script nonce="{{ csp_nonce() }}">`."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def register(app: APIFlask) -> None:
    """Send the security headers on every response; trust only the configured proxies."""
    https = app.config["PUBLIC_URL"].startswith("https://")
    app.config["SESSION_COOKIE_SECURE"] = https
    if proxies := app.config.get("TRUSTED_PROXIES"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.context_processor(lambda: {"csp_nonce": csp_nonce})

    @app.after_request
    def secure_headers(response):
        policy = DOCS_POLICY if request.path == DOCS_PATH else PAGE_POLICY
        response.headers.setdefault("Content-Security-Policy", policy.format(nonce=csp_nonce()))
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if https:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
