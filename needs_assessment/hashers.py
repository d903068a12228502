"""Password hashing parameters.

Django's Argon2 defaults (100 MiB, 2 passes, 8 lanes) cost ~420 ms per check on a two-core
server, and every approval or reopening checks the reviewer's password again (the e-signature),
so one approval held a web worker for half a second. OWASP's Password Storage Cheat Sheet gives
equivalent Argon2id settings that trade memory for passes; its recommended minimum, used here,
is 19 MiB, 2 passes, 1 lane (~8x cheaper to check, still memory-hard).

The algorithm name stays ``argon2``: hashes made with Django's defaults are still accepted, and
Django's ``must_update`` re-hashes them with these parameters at the user's next sign-in.

Reference: OWASP Password Storage Cheat Sheet, "Argon2id" (m=19456 KiB, t=2, p=1).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with OWASP's recommended minimum: 19 MiB of memory, 2 passes, 1 lane."""

    time_cost = 2
    memory_cost = 19456
    parallelism = 1
