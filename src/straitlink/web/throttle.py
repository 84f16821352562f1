"""Login throttling: failed attempts counted per account and per address in a moving window (`limits`)."""

from __future__ import annotations

import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from straitlink.domain.errors import StraitLinkError

# A person mistyping gets five tries per account; an address gets more because offices share one.
PER_ACCOUNT = "5 per 15 minutes"
PER_ADDRESS = "20 per 15 minutes"


class TooManyAttempts(StraitLinkError):
    """Too many failed logins for this account or from this address; try again later."""

    code = "too_many_attempts"
    http_status = 429

    def __init__(self, field: str, value: str, retry_after: int) -> None:
        super().__init__(
            f"{field}: too many failed logins for {value!r}; try again in {retry_after} seconds",
            field=field,
            value=value,
        )
        self.retry_after = retry_after


class LoginThrottle:
    """Counts failures only: a successful login clears its account's count."""

    def __init__(self, per_account: str = PER_ACCOUNT, per_address: str = PER_ADDRESS) -> None:
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.account: RateLimitItem = parse(per_account)
        self.address: RateLimitItem = parse(per_address)

    def check(self, username: str, address: str) -> None:
        """Raise TooManyAttempts when either count is used up."""
        for item, field, key in ((self.account, "username", username), (self.address, "address", address)):
            if not self.limiter.test(item, field, key):
                reset = self.limiter.get_window_stats(item, field, key).reset_time
                raise TooManyAttempts(field, key, max(1, int(reset - time.time())))

    def failed(self, username: str, address: str) -> None:
        self.limiter.hit(self.account, "username", username)
        self.limiter.hit(self.address, "address", address)

    def succeeded(self, username: str) -> None:
        self.limiter.clear(self.account, "username", username)
