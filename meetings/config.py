"""Configuration: one typed table of settings; defaults, then environment, then the test mapping.

Every setting an operator may give is a row of SETTINGS with its type, default and meaning. A
value that does not parse stops the app with a message naming the variable; "0", "false", "no"
and "off" are false, never true.
"""

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa


class ConfigurationError(RuntimeError):
    """A setting is missing or has a value of the wrong type; the message names the variable."""


TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def parse_bool(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError("expected 1/0, true/false, yes/no or on/off")


def parse_int(text: str) -> int:
    return int(text.strip())


def parse_float(text: str) -> float:
    return float(text.strip())


def parse_str(text: str) -> str:
    return text.strip()


PARSERS: dict[type, Callable[[str], Any]] = {
    bool: parse_bool, int: parse_int, float: parse_float, str: parse_str,
}


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    meaning: str
    minimum: float | None = None
    secret: bool = False

    def parse(self, text: str) -> Any:
        """The typed value of an environment string, or ConfigurationError naming the variable."""
        try:
            value = PARSERS[self.type](text)
        except ValueError as error:
            shown = "(hidden)" if self.secret else repr(text)
            raise ConfigurationError(
                f"{self.name}={shown} is not a valid {self.type.__name__}: {error}"
            ) from None
        if self.minimum is not None and value < self.minimum:
            raise ConfigurationError(f"{self.name}={text!r} must be at least {self.minimum:g}")
        return value


SETTINGS: tuple[Setting, ...] = (
    Setting("SECRET_KEY", str, None, "signs sessions and CSRF tokens; required outside `make run`",
            secret=True),
    Setting("DEVELOPMENT", bool, False,
            "`make run` sets it: without SECRET_KEY, a random key is kept in instance/secret_key"),
    Setting("DATABASE_URL", str, None, "SQLAlchemy URL; SQLite at instance/meetings.db when unset"),
    Setting("SERVER_NAME", str, None, "Flask's SERVER_NAME (usually leave unset)"),
    Setting("SITE_URL", str, "http://127.0.0.1:5000", "absolute links in mails, feeds and exports"),
    Setting("CALENDAR_DOMAIN", str, None, "right-hand side of calendar UIDs; SITE_URL's host"),
    Setting("RATELIMIT_STORAGE_URI", str, "memory://",
            "Flask-Limiter storage; redis://127.0.0.1:6379/0 shares limits between hosts"),
    Setting("MAIL_SERVER", str, "", "SMTP host; unset: every message is printed to the terminal"),
    Setting("MAIL_PORT", int, None, "SMTP port (587 with MAIL_USE_TLS, else 25)", minimum=1),
    Setting("MAIL_USERNAME", str, "", "SMTP login"),
    Setting("MAIL_PASSWORD", str, "", "SMTP password", secret=True),
    Setting("MAIL_USE_TLS", bool, False, "STARTTLS on the SMTP connection"),
    Setting("MAIL_FROM", str, "no-reply@localhost", "sender address of every message"),
    Setting("MAIL_TIMEOUT", float, 5.0,
            "seconds the mail worker waits for the SMTP server before trying later",
            minimum=0.1),
    Setting("MAIL_MAX_ATTEMPTS", int, 8,
            "failed attempts after which a message is marked failed and shown to organizers",
            minimum=1),
    Setting("LOGIN_ACCOUNT_LIMIT", str, "10 per 15 minutes",
            "failed logins (passwords and two-factor codes) allowed per account, from any address"),
    Setting("PROXY_FIX", int, 0,
            "number of reverse proxies in front whose X-Forwarded-* headers are trusted (0: none)",
            minimum=0),
    Setting("SESSION_COOKIE_SECURE", bool, False, "send the session cookie over HTTPS only"),
    Setting("HSTS_SECONDS", int, 31536000,
            "Strict-Transport-Security max-age on HTTPS responses (0: no header)", minimum=0),
    Setting("LOCK_TIMEOUT_MS", int, 3000,
            "longest a request waits for a seat lock before answering 'busy, try again'",
            minimum=1),
    Setting("REGISTRATION_RETENTION_DAYS", int, 180,
            "days after an edition ends before `meetings purge` anonymizes registrations",
            minimum=0),
    Setting("SENSITIVE_DATA_RETENTION_DAYS", int, 7,
            "days after an edition ends before `meetings purge --due` clears dietary, "
            "accessibility and sensitive answers", minimum=0),
    Setting("AGENDA_CHANGE_DIGEST_MINUTES", int, 15,
            "quiet minutes after the last agenda change before attendees are mailed", minimum=0),
    Setting("FEED_TOKEN_KEY", str, None,
            "key for personal feed addresses (SECRET_KEY when unset)", secret=True),
    Setting("MAIL_BODY_KEY", str, None,
            "encrypts queued mail bodies (their links) at rest; derived from SECRET_KEY when unset",
            secret=True),
    Setting("BADGE_KEY_SECRET", str, None,
            "encrypts each edition's badge signing key at rest; derived from SECRET_KEY when unset",
            secret=True),
    Setting("VISA_DATA_KEY", str, None,
            "64 hex characters: encrypts visa passport data (AES-GCM); without it visa requests "
            "are refused, except under `make run` (kept in instance/visa_data_key)", secret=True),
    Setting("VISA_DATA_RETENTION_DAYS", int, 30,
            "days after an edition ends before `meetings purge --due` deletes its visa requests",
            minimum=0),
)

MIN_SECRET_KEY_LENGTH = 32  # characters of the key given in the environment
SETTINGS_BY_NAME = {setting.name: setting for setting in SETTINGS}


def default_config(instance_path: str) -> dict:
    """Settings that make `make run` work on a laptop with no configuration."""
    config = {s.name: s.default for s in SETTINGS if s.name != "DATABASE_URL"}
    config.update({
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(instance_path, "meetings.db"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "RATELIMIT_HEADERS_ENABLED": True,
        "BABEL_DEFAULT_LOCALE": "en",
        "LANGUAGES": ["en"],
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    })
    return config


def environment_config(environ: Mapping[str, str] | None = None) -> dict:
    """Typed settings given as environment variables (DATABASE_URL becomes the SQLAlchemy URI)."""
    environ = os.environ if environ is None else environ
    config = {}
    for setting in SETTINGS:
        text = environ.get(setting.name)
        if text is None or (text.strip() == "" and setting.type is not bool):
            continue
        config[setting.name] = setting.parse(text)
    if "DATABASE_URL" in config:
        config["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(config.pop("DATABASE_URL"))
    for name in ("SECRET_KEY", "MAIL_BODY_KEY", "BADGE_KEY_SECRET"):
        if len(config.get(name) or "x" * MIN_SECRET_KEY_LENGTH) < MIN_SECRET_KEY_LENGTH:
            raise ConfigurationError(f"{name} is too short: use at least {MIN_SECRET_KEY_LENGTH} "
                                     "random characters (python3 -c 'import secrets; "
                                     "print(secrets.token_hex(32))')")
    key = config.get("VISA_DATA_KEY")
    if key is not None and not is_data_key(key):
        raise ConfigurationError("VISA_DATA_KEY must be 64 hex characters (32 random bytes): "
                                 "python3 -c 'import secrets; print(secrets.token_hex(32))'")
    return config


def is_data_key(text: str) -> bool:
    """A 256-bit key written as 64 hex characters."""
    try:
        return len(bytes.fromhex(text)) == 32
    except ValueError:
        return False


def ensure_secret_key(config: dict, instance_path: str) -> None:
    """Refuse to start without SECRET_KEY, except under `make run` (DEVELOPMENT), which keeps one.

    The development key is random, written once to instance/secret_key with mode 0600 and reused,
    so sessions survive restarts and no key is ever published with the code.
    """
    if config.get("SECRET_KEY"):
        return
    if not config.get("DEVELOPMENT"):
        raise ConfigurationError(
            "SECRET_KEY is not set. Set it to a long random value, for example "
            "SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))'); "
            "`make run` sets DEVELOPMENT=1 and keeps a generated key in instance/secret_key."
        )
    config["SECRET_KEY"] = development_secret_key(os.path.join(instance_path, "secret_key"))


def ensure_development_data_key(config: dict, instance_path: str) -> None:
    """Under `make run` without VISA_DATA_KEY, keep a random one in instance/visa_data_key."""
    if config.get("DEVELOPMENT") and not config.get("VISA_DATA_KEY"):
        config["VISA_DATA_KEY"] = development_secret_key(
            os.path.join(instance_path, "visa_data_key"))


def development_secret_key(path: str) -> str:
    """Read the key stored at `path`, creating it (mode 0600) on first use."""
    try:
        with open(path, encoding="ascii") as stored:
            key = stored.read().strip()
        if key:
            return key
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(path), exist_ok=True)
    key = secrets.token_hex(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as stored:
        stored.write(key + "\n")
    os.chmod(path, 0o600)
    return key


# A PostgreSQL server that does not answer (its host gone, packets dropped) fails the request, and
# /health, after this many seconds instead of holding a worker until gunicorn kills it.
CONNECT_TIMEOUT_S = 5


def with_connect_timeout(uri: str) -> str:
    """A PostgreSQL URL gives up connecting after CONNECT_TIMEOUT_S unless it sets its own
    `connect_timeout`; other URLs are returned as they are."""
    url = sa.make_url(uri)
    if url.get_backend_name() != "postgresql" or "connect_timeout" in url.query:
        return uri
    return url.update_query_dict({"connect_timeout": str(CONNECT_TIMEOUT_S)}) \
        .render_as_string(hide_password=False)


def normalize_database_url(url: str) -> str:
    """Let `postgres://` and `postgresql://` URLs use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def settings_table() -> str:
    """The README's configuration table (a test keeps the two identical)."""
    rows = ["| variable | type | default | meaning |", "| --- | --- | --- | --- |"]
    for setting in SETTINGS:
        default = "unset" if setting.default in (None, "") else f"`{setting.default}`"
        if setting.type is bool and setting.default is False:
            default = "`0`"
        rows.append(f"| `{setting.name}` | {setting.type.__name__} | {default} | "
                    f"{setting.meaning} |")
    return "\n".join(rows) + "\n"
