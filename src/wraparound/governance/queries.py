"""Reads for governance's own concerns that other apps need (no person data is shown here).

``people_for_analytics``: the population that planning and research analytics may count.
People who registered a national data opt-out are left out; direct care is unaffected (they
are still found, opened and cared for through ``governance.access``).
"""

from django.db.models import QuerySet

from wraparound.governance.models import SharingPreference
from wraparound.identity.models import Person


def people_for_analytics() -> QuerySet[Person]:
    opted_out = SharingPreference.objects.filter(national_opt_out=True).values("person_id")
    return Person.objects.filter(retired=False).exclude(id__in=opted_out)
