"""Throttling of failed sign-ins: which counts an attempt goes against, and how long the
counts make it wait. (The counts themselves are kept by dashboard.access.sessions; the
user store, dashboard.access.users, asks before it checks a password.)

Failed sign-ins are throttled (OWASP's authentication cheat sheet: device cookies,
per-user-per-client throttles). Each failure counts against
- the client: a random id the sign-in form's session cookie carries (any username);
- the username at the client's address;
- the username, from anywhere;
- the address (an IPv6 address by its /64), any username;
- the device, when the browser brought a device cookie for that username (a signed cookie
  given at each successful sign-in: dashboard.web.login).
After a few failures of one of them within the hour (THROTTLE), an attempt it applies to is
refused without checking the password until a delay has passed, doubling with each further
failure up to 5 minutes. Which apply:
- with a device cookie for the username: only the device's own count. A browser where the
  user has signed in before is not held up by anyone else's guesses;
- without: the client's, the username's at this address, and the address's, which is a
  high backstop (100 failures) so that one client behind a shared address (a proxy, a
  conference's NAT) does not lock out the others; the username's count from anywhere only
  when this client or this address has failed itself within the hour, so that a right
  password from a clean address is checked and accepted while the user is under attack.
An attempt is counted before its password is checked (in one transaction with the check),
so concurrent guesses cannot slip past the count; a right password takes its attempt back.
The answer is the same for names that exist and names that do not; no account is ever
locked; no request sleeps.
"""

from __future__ import annotations

import hashlib
import ipaddress

# After FREE failures of a key in a row, an attempt the key applies to waits
# BASE_DELAY x 2^(failures - FREE) seconds after the key's last failure, at most MAX_DELAY;
# a key forgets its failures FORGET seconds after the last one.
THROTTLE = {  # kind: (FREE, BASE_DELAY)
    "client": (5, 1.0),  # one browser's session, any username
    "user-address": (4, 2.0),  # a username at one address
    "user": (4, 2.0),  # a username from anywhere (only for clients or addresses that failed)
    "address": (100, 1.0),  # one address, any username: a backstop (not for known devices)
    "device": (5, 2.0),  # a device cookie of the username
}
MAX_DELAY = 300.0
FORGET = 3600.0

Counts = dict[str, tuple[int, float]]  # throttle key: (failures, time of the last)


def throttle_key(kind: str, value: str) -> str:
    """`kind:` and a digest of the value (a username of any length, an address: neither is
    kept in clear)."""
    digest = hashlib.sha256(value.strip().lower().encode("utf-8", "replace")).hexdigest()
    return f"{kind}:{digest[:32]}"


def address_of(address: str) -> str:
    """The address a throttle counts: an IPv6 address by its /64 (one host usually has a
    whole /64 to pick addresses from), an IPv4 address as it is."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # (::ffff:a.b.c.d is a.b.c.d)
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def attempt_keys(username: str, address: str, client: str, device: str) -> dict[str, str]:
    """The throttle keys a sign-in attempt counts against: {key: kind}."""
    address = address_of(address)
    name = username.strip().lower()
    kinds = {
        "client": client,
        "user-address": f"{name}\x1f{address}",
        "user": name,
        "address": address,
        "device": device,
    }
    return {
        throttle_key(kind, value): kind
        for kind, value in kinds.items()
        if value and (kind != "address" or address)  # (none from the command line)
    }


def delay(kind: str, failures: int, last: float, now: float) -> float:
    """Seconds until a key of `kind` with these failures lets an attempt through."""
    free, base = THROTTLE[kind]
    if failures < free or now - last > FORGET:
        return 0.0
    return max(0.0, last + min(MAX_DELAY, base * 2 ** (failures - free)) - now)


def wait(keys: dict[str, str], counts: Counts, now: float) -> float:
    """Seconds until an attempt with these keys ({key: kind}) and counts may be checked (0:
    now): with a device cookie of the username, only the device's count applies; without,
    the client's, the username's at this address and the address's, and the username's
    from anywhere when this client or address has failed within FORGET."""
    fresh = {k: c for k, c in counts.items() if now - c[1] <= FORGET}
    kinds = set(keys.values())
    if "device" in kinds:
        applies = {"device"}
    else:
        applies = {"client", "user-address", "address"}
        if any(keys[k] in ("client", "address") and f > 0 for k, (f, _l) in fresh.items()):
            applies.add("user")
    waits = [delay(keys[k], f, last, now) for k, (f, last) in fresh.items() if keys[k] in applies]
    return max(waits, default=0.0)
