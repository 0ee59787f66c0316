"""The SMTP mailer upgrades with STARTTLS and signs in before sending, against a real aiosmtpd."""

import datetime as dt
import ipaddress
import ssl

import pytest
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from notifications import messages
from notifications.mailers import SmtpMailer, SmtpSettings
from tests.smtp_receiver import SmtpReceiver
from tests.unit.test_notification_messages import FACTS


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """Make a self-signed certificate for 127.0.0.1; return its certificate and key files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                        serialization.PrivateFormat.PKCS8,
                                                        serialization.NoEncryption()))
    return folder / "cert.pem", folder / "key.pem"


def accept_only(username: str, password: str):
    def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = auth_data.login.decode() == username and auth_data.password.decode() == password
        return AuthResult(success=ok)

    return authenticate


@pytest.fixture
def secure_smtp(certificate):
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(*certificate)
    receiver = SmtpReceiver(tls_context=server_tls, require_starttls=True,
                            authenticator=accept_only("dunghan", "mat-khau-dung"), auth_required=True,
                            auth_exclude_mechanism=["LOGIN"])
    receiver.start()
    yield receiver
    receiver.stop()


def mailer(port: int, certificate, password: str) -> SmtpMailer:
    trusting = ssl.create_default_context(cafile=str(certificate[0]))
    return SmtpMailer(SmtpSettings("127.0.0.1", port, "starttls", "dunghan", password),
                      "Đúng hạn <khong-tra-loi@dunghan.test>", timeout=5, tls=trusting)


def message():
    return messages.compose(("Người nhận", "cv.sxd@dunghan.test"), "Đúng hạn <khong-tra-loi@dunghan.test>",
                            "<n1@dunghan.test>", [FACTS], "Thư tự động.", dt.datetime.now(dt.UTC))


def test_starttls_and_sign_in_deliver_the_message(secure_smtp, certificate):
    assert mailer(secure_smtp.port, certificate, "mat-khau-dung").send(message()).ok
    [mail] = secure_smtp.mails
    assert mail.to == "cv.sxd@dunghan.test" and mail.kind == "overdue"


def test_a_wrong_password_is_an_error_to_retry_not_a_crash(secure_smtp, certificate):
    sent = mailer(secure_smtp.port, certificate, "sai").send(message())
    # aiosmtpd answers a refused sign-in by going quiet; a real server says 535. Either way the
    # attempt fails with its reason, for the worker to retry.
    assert sent.error and secure_smtp.mails == []


def test_an_untrusted_certificate_is_refused(secure_smtp, certificate):
    plain = SmtpMailer(SmtpSettings("127.0.0.1", secure_smtp.port, "starttls", "dunghan", "mat-khau-dung"),
                       "Đúng hạn <khong-tra-loi@dunghan.test>", timeout=5)
    sent = plain.send(message())
    assert "CERTIFICATE_VERIFY_FAILED" in sent.error and secure_smtp.mails == []


def test_credentials_smtplib_cannot_send_are_refused_when_configured():
    with pytest.raises(ValueError, match="ASCII"):
        SmtpSettings("127.0.0.1", 587, "starttls", "dunghan", "mật-khẩu")
