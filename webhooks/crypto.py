"""Generate signing secrets and keep them encrypted at rest under the application key."""

import base64
import logging
import secrets

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

log = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
# Used only when DUNGHAN_SECRET_KEY is unset, i.e. in development and tests.
DEV_KEY = "dunghan-development-key-do-not-use-in-production"
_HKDF_SALT = b"dunghan/webhooks"
_HKDF_INFO = b"webhook signing secrets at rest"


def new_secret() -> str:
    """Return a fresh signing secret in the Standard Webhooks form ``whsec_<base64>``."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_bytes(secret: str) -> bytes:
    """Return the key bytes a ``whsec_`` secret stands for, which HMAC uses."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


class SecretBox:
    """Seal and open secrets with a Fernet key derived from the application key by HKDF."""

    def __init__(self, app_key: str):
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT,
                       info=_HKDF_INFO).derive(app_key.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    @classmethod
    def from_key(cls, app_key: str | None) -> "SecretBox":
        """Build the box for the configured key, falling back to the development key loudly."""
        if not app_key:
            log.warning("DUNGHAN_SECRET_KEY chưa được đặt: bí mật webhook được mã hóa bằng khóa "
                        "phát triển mặc định; không dùng cấu hình này khi vận hành thật")
            app_key = DEV_KEY
        return cls(app_key)

    def seal(self, secret: str) -> str:
        """Return the secret encrypted and authenticated, as text for a database column."""
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        """Return the secret a sealed value holds; raise ValueError if the key does not match."""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as err:
            raise ValueError("bí mật webhook không giải mã được bằng khóa hiện tại") from err
