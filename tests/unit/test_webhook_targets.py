"""Webhook targets: public https only, loopback only when allow-listed, re-checked at send time."""

import pytest

from webhooks.delivery import Poster
from webhooks.targets import TargetPolicy, TargetRefused


def resolver(table: dict[str, list[str]]):
    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError("Name or service not known")
        return table[host]
    return resolve


DNS = resolver({"vanban.sxd.gov.vn": ["203.162.4.191"], "noibo.example.vn": ["10.0.0.7"],
                "hai-mat.example.vn": ["203.162.4.192", "192.168.1.5"], "127.0.0.1": ["127.0.0.1"],
                "::ffff:127.0.0.1": ["::ffff:127.0.0.1"], "100.64.0.1": ["100.64.0.1"]})


def test_a_public_https_target_is_accepted_with_its_address():
    target = TargetPolicy(resolve=DNS).check_url("https://vanban.sxd.gov.vn/dunghan/hook?k=1")
    assert (target.host, target.port, target.path, target.address) == (
        "vanban.sxd.gov.vn", 443, "/dunghan/hook?k=1", "203.162.4.191")


@pytest.mark.parametrize("url, reason", [
    ("https://noibo.example.vn/hook", "mạng nội bộ"),
    ("https://hai-mat.example.vn/hook", "mạng nội bộ"),  # one private address is enough
    ("https://[::ffff:127.0.0.1]/hook", "mạng nội bộ"),
    ("https://100.64.0.1/hook", "mạng nội bộ"),  # carrier-grade NAT is not public either
    ("https://khong-co.example.vn/hook", "phân giải"),
    ("http://vanban.sxd.gov.vn/hook", "https"),
    ("https://vanban.sxd.gov.vn:99999/hook", "không hợp lệ"),
])
def test_unsafe_targets_are_refused_with_a_reason(url, reason):
    with pytest.raises(TargetRefused, match=reason):
        TargetPolicy(resolve=DNS).check_url(url)


def test_the_allow_list_admits_loopback_and_plain_http():
    policy = TargetPolicy.from_setting(" 127.0.0.1 , noibo.example.vn")
    policy = TargetPolicy(policy.allowed, resolve=DNS)
    assert policy.check_url("http://127.0.0.1:8080/hook").address == "127.0.0.1"
    assert policy.check_url("https://noibo.example.vn/hook").address == "10.0.0.7"


def test_a_name_rebound_to_loopback_after_subscribing_is_refused_at_delivery():
    table = {"vanban.sxd.gov.vn": ["203.162.4.191"]}
    policy = TargetPolicy(resolve=lambda host, port: table[host])
    policy.check_url("https://vanban.sxd.gov.vn/hook")  # fine when subscribing
    table["vanban.sxd.gov.vn"] = ["127.0.0.1"]  # the attacker's DNS now answers loopback
    attempt = Poster(policy).post("https://vanban.sxd.gov.vn/hook", b"{}", {})
    assert attempt.status_code is None and not attempt.delivered
    assert "mạng nội bộ" in attempt.error


@pytest.mark.parametrize("address", [
    "64:ff9b::169.254.169.254",  # NAT64 of the cloud metadata address
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b::7f00:1",  # NAT64 of loopback
    "64:ff9b:1::a00:1",  # local-use NAT64 prefix (RFC 8215)
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "2002:7f00:1::1",  # 6to4 of loopback
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo whose client is 127.0.0.1 (bits inverted)
    "::127.0.0.1",  # IPv4-compatible loopback
    "::a00:1",  # IPv4-compatible 10.0.0.1
    "::",  # unspecified
])
def test_ipv6_forms_that_embed_a_private_ipv4_are_refused(address):
    policy = TargetPolicy(resolve=lambda host, port: [address])
    with pytest.raises(TargetRefused, match="mạng nội bộ"):
        policy.check_url(f"https://[{address}]/hook")


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "2002:cba2:4bf::1"])
def test_ipv6_forms_that_embed_a_public_ipv4_are_accepted(address):
    policy = TargetPolicy(resolve=lambda host, port: [address])
    assert policy.check_url(f"https://[{address}]/hook").address == address


def test_an_embedded_private_ipv4_is_refused_again_at_delivery():
    table = {"vanban.sxd.gov.vn": ["203.162.4.191"]}
    policy = TargetPolicy(resolve=lambda host, port: table[host])
    policy.check_url("https://vanban.sxd.gov.vn/hook")
    table["vanban.sxd.gov.vn"] = ["64:ff9b::a9fe:a9fe"]  # rebound to NAT64 of the metadata IP
    attempt = Poster(policy).post("https://vanban.sxd.gov.vn/hook", b"{}", {})
    assert not attempt.delivered and "mạng nội bộ" in attempt.error
