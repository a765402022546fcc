"""Configuration: defaults, then environment variables, then the test mapping."""

import os

ENVIRONMENT_KEYS = (
    "SECRET_KEY",
    "DATABASE_URL",
    "SERVER_NAME",
    "SITE_URL",
    "CALENDAR_DOMAIN",
    "RATELIMIT_STORAGE_URI",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_USE_TLS",
    "MAIL_FROM",
    "PROXY_FIX",
    "REGISTRATION_RETENTION_DAYS",
    "AGENDA_CHANGE_DIGEST_MINUTES",
    "FEED_TOKEN_KEY",
    "FEEDS_MEMO_MAX_LAG",
)


def default_config(instance_path: str) -> dict:
    """Settings that make `make run` work on a laptop with no configuration."""
    return {
        "SECRET_KEY": "dev-only-change-me",
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(instance_path, "meetings.db"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SITE_URL": "http://127.0.0.1:5000",
        "CALENDAR_DOMAIN": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "BABEL_DEFAULT_LOCALE": "en",
        "LANGUAGES": ["en"],
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # Days after an edition ends before `flask meetings purge` may anonymize registrations.
        "REGISTRATION_RETENTION_DAYS": 180,
        # Agenda changes are emailed once the edition's agenda has been quiet this long.
        "AGENDA_CHANGE_DIGEST_MINUTES": 15,
        # Key for personal calendar-feed addresses (SECRET_KEY when unset); changing it
        # changes every attendee's feed address.
        "FEED_TOKEN_KEY": None,
        # Longest a worker may answer a public feed from memory without hearing from PostgreSQL.
        "FEEDS_MEMO_MAX_LAG": 2.0,
    }


def environment_config() -> dict:
    """Settings given as environment variables (DATABASE_URL becomes the SQLAlchemy URI)."""
    config = {}
    for key in ENVIRONMENT_KEYS:
        value = os.environ.get(key)
        if value:
            config[key] = value
    if "DATABASE_URL" in config:
        config["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(config.pop("DATABASE_URL"))
    if config.get("SECRET_KEY") and os.environ.get("SESSION_COOKIE_SECURE", "") == "1":
        config["SESSION_COOKIE_SECURE"] = True
    if "MAIL_SEND_AFTER_COMMIT" in os.environ:
        config["MAIL_SEND_AFTER_COMMIT"] = os.environ["MAIL_SEND_AFTER_COMMIT"] == "1"
    return config


def normalize_database_url(url: str) -> str:
    """Let `postgres://` and `postgresql://` URLs use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
