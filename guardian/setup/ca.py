"""Guardian's certificate authority, made at install time in the files mitmproxy reads from its confdir.

`guardian install` makes the CA before the service first starts, so the
public certificate can be published (and trusted machine-wide) in the same
run. The files are those mitmproxy's own ``CertStore.create_store`` writes,
with the same extensions, so mitmproxy loads them as its own; an existing CA
(a user-mode Guardian whose certificate the family's phones already trust)
can be carried over instead with `from_confdir`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NAME = "mitmproxy"  # mitmproxy's basename: its files are mitmproxy-ca.pem, mitmproxy-ca-cert.pem ...
YEARS = 10


@dataclass(frozen=True, slots=True)
class CA:
    """The CA's files: `private` (key and certificate) stays in the service's confdir; `public` is published."""

    private: bytes  # mitmproxy-ca.pem
    public: bytes  # mitmproxy-ca-cert.pem (PEM)

    def files(self) -> dict[str, bytes]:
        """Every file mitmproxy keeps in its confdir, by name; the key's files first."""
        key = serialization.load_pem_private_key(self.private, None)
        cert = x509.load_pem_x509_certificate(self.public)
        none = serialization.NoEncryption()
        return {
            f"{NAME}-ca.pem": self.private,
            f"{NAME}-ca.p12": pkcs12.serialize_key_and_certificates(NAME.encode(), key, cert, None, none),  # type: ignore[arg-type]
            f"{NAME}-ca-cert.pem": self.public,
            f"{NAME}-ca-cert.cer": self.public,  # mitmproxy's copy for Android: the same PEM
            f"{NAME}-ca-cert.p12": pkcs12.serialize_key_and_certificates(NAME.encode(), None, cert, None, none),
        }

    def fingerprint(self) -> str:
        cert = x509.load_pem_x509_certificate(self.public)
        return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def make(now: datetime | None = None, key_size: int = 2048) -> CA:
    """A new CA like mitmproxy's (CN and O "mitmproxy", 10 years, CA:TRUE, keyCertSign and cRLSign)."""
    now = now or datetime.now(UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    name = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, NAME), x509.NameAttribute(NameOID.ORGANIZATION_NAME, NAME)]
    )
    usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
    cert = (
        x509.CertificateBuilder()
        .serial_number(x509.random_serial_number())
        .subject_name(name)
        .issuer_name(name)
        .not_valid_before(now - timedelta(days=2))  # a clock slightly behind still accepts it
        .not_valid_after(now + timedelta(days=365 * YEARS))
        .public_key(key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    public = cert.public_bytes(serialization.Encoding.PEM)
    return CA(private + public, public)


def from_confdir(confdir: Path) -> CA | None:
    """The CA a Guardian already made in `confdir`, or None when there is none."""
    private, public = confdir / f"{NAME}-ca.pem", confdir / f"{NAME}-ca-cert.pem"
    if not private.is_file() or not public.is_file():
        return None
    return CA(private.read_bytes(), public.read_bytes())
