from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from deltaregio.directory.models import Lab, Organisation, Person


def organisation_list() -> QuerySet[Organisation]:
    return (
        Organisation.objects.select_related("parent")
        .annotate(project_count=Count("participations", distinct=True))
        .order_by("name")
    )


def organisation_detail(*, slug: str) -> Organisation:
    from deltaregio.projects.models import Partner

    return (
        Organisation.objects.select_related("parent")
        .prefetch_related(
            "units",
            "labs",
            Prefetch(
                "participations",
                queryset=Partner.objects.select_related("project").order_by("project__acronym"),
            ),
        )
        .get(slug=slug)
    )


def person_list() -> QuerySet[Person]:
    return Person.objects.select_related("organisation").order_by("name")


def lab_list() -> QuerySet[Lab]:
    return Lab.objects.select_related("operator").order_by("name")


def lab_detail(*, slug: str) -> Lab:
    return Lab.objects.select_related("operator").get(slug=slug)


def organisation_search(q: str) -> QuerySet[Organisation]:
    """Organisations whose name, short name or description contains q (any case)."""
    return (
        Organisation.objects.filter(
            Q(name__icontains=q) | Q(short_name__icontains=q) | Q(description__icontains=q)
        )
        .select_related("parent")
        .order_by("name")
    )


def lab_search(q: str) -> QuerySet[Lab]:
    """Labs whose name, city or description contains q (any case)."""
    return (
        Lab.objects.filter(Q(name__icontains=q) | Q(city__icontains=q) | Q(description__icontains=q))
        .select_related("operator")
        .order_by("name")
    )
