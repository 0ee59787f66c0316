"""Refuse webhook targets on private, loopback or link-local addresses unless allow-listed.

The check runs twice: when a subscription is saved, and again at every delivery on the
address the connection will actually use, so a name that later resolves to an internal
address (DNS rebinding) is still refused.
"""

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2048


class TargetRefused(Exception):
    """A target URL or address that the service will not call."""


@dataclass(frozen=True)
class Target:
    """Where one delivery goes: the URL's parts and the vetted address to connect to."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


# IPv6 prefixes whose last 32 bits are an IPv4 address a gateway will connect to for us.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return all(a.is_global and not a.is_multicast for a in (ip, *_embedded_ipv4(ip)))


def _embedded_ipv4(ip) -> list:
    """Return the IPv4 addresses an IPv6 address carries inside it.

    NAT64, 6to4, Teredo and IPv4-mapped/compatible forms all reach an IPv4 host; a
    translating gateway would connect to ``64:ff9b::a9fe:a9fe`` as to 169.254.169.254.
    """
    if ip.version == 4:
        return []
    if ip.ipv4_mapped:
        return [ip.ipv4_mapped]
    if ip.sixtofour:
        return [ip.sixtofour]
    if ip.teredo:
        return list(ip.teredo)
    if ip in _IPV4_COMPATIBLE or any(ip in net for net in _NAT64):
        return [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)]
    return []


def _resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


class TargetPolicy:
    """Decide which URLs may receive webhooks; the allow-list is the administrator's."""

    def __init__(self, allowed_hosts: Iterable[str] = (),
                 resolve: Callable[[str, int], list[str]] = _resolve):
        self.allowed = frozenset(h.strip().lower() for h in allowed_hosts if h.strip())
        self.resolve = resolve

    @classmethod
    def from_setting(cls, value: str | None) -> "TargetPolicy":
        """Build the policy from DUNGHAN_WEBHOOK_ALLOWED_HOSTS: comma-separated names or IPs."""
        return cls((value or "").split(","))

    def check_url(self, url: str) -> Target:
        """Return the vetted target of a URL or raise TargetRefused saying why, in Vietnamese."""
        parts = self._parts(url)
        host, port = parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
        if parts.scheme == "http" and host not in self.allowed:
            raise TargetRefused("Chỉ nhận địa chỉ https; http chỉ dành cho máy được cho phép")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return Target(parts.scheme, host, port, path, self.address_for(host, port))

    def address_for(self, host: str, port: int) -> str:
        """Resolve a host now and return an address it is safe to connect to."""
        try:
            addresses = self.resolve(host, port)
        except (OSError, UnicodeError) as err:
            raise TargetRefused(f"Không phân giải được tên máy '{host}'") from err
        if not addresses:
            raise TargetRefused(f"Không phân giải được tên máy '{host}'")
        if host in self.allowed:
            return addresses[0]
        # Every address must be safe: a resolver may hand out any of them at connect time.
        unsafe = [a for a in addresses if not _public(a) and a not in self.allowed]
        if unsafe:
            raise TargetRefused(f"Địa chỉ '{host}' trỏ tới mạng nội bộ ({unsafe[0]}); "
                                "cần quản trị viên cho phép (DUNGHAN_WEBHOOK_ALLOWED_HOSTS)")
        return addresses[0]

    @staticmethod
    def _parts(url: str):
        if len(url) > MAX_URL_LENGTH:
            raise TargetRefused(f"Địa chỉ dài quá {MAX_URL_LENGTH} ký tự")
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018  (raises ValueError on a malformed port)
        except ValueError as err:
            raise TargetRefused("Địa chỉ URL không hợp lệ") from err
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TargetRefused("Địa chỉ phải là URL http(s) đầy đủ, ví dụ https://vanban.sxd.gov.vn/hook")
        if parts.username or parts.password:
            raise TargetRefused("Không đưa tên đăng nhập hay mật khẩu vào địa chỉ URL")
        return parts
