"""The API's rate-limit counts live in the ``throttle`` cache configured when a request comes.

The cache used to be looked up once, when the module was imported: the first import happening
inside a test that overrides ``CACHES`` (e.g. the regional dashboard's cache tests, whose URL
resolution imports the API) failed, so the suite passed or failed depending on test order.
"""

from __future__ import annotations

from django.core.cache import caches
from django.test import SimpleTestCase, override_settings

from api.throttling import ApiAnonymousThrottle, ApiUploadThrottle, ApiUserThrottle

OTHER_THROTTLE_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    "throttle": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "another-throttle-cache",
    },
}


class ThrottleCacheTests(SimpleTestCase):
    def test_every_throttle_counts_in_the_throttle_cache_configured_now(self) -> None:
        before = caches["throttle"]
        with override_settings(CACHES=OTHER_THROTTLE_CACHE):
            current = caches["throttle"]
            assert current is not before
            for throttle in (ApiUserThrottle(), ApiAnonymousThrottle(), ApiUploadThrottle()):
                assert throttle.cache is current
        assert ApiUserThrottle().cache is caches["throttle"]
