"""Nothing a signed-in member of staff sees is kept by a browser or a proxy.

Person pages, search results and steward screens name people. A shared clinic computer's
back button, its disk cache, or a caching proxy must not show them to the next person, so
every response to a signed-in user carries ``Cache-Control: no-store`` (issue 9, finding 10).
Static files (served by WhiteNoise before this runs) keep their long cache.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control


class NoStoreForStaff:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
            patch_cache_control(response, no_store=True, private=True)
        return response
