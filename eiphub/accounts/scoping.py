"""The one place that decides what a user may see and change.

Every page, API endpoint, export and import asks these functions for its
querysets; nothing filters by role anywhere else.

Roles and their scope:
- ministry: every park (read only);
- board: parks of its province (read; reviews reports);
- developer: parks its organisation develops;
- enterprise: its own enterprise; other enterprises only as they publish;
- consultant: parks it is assigned to;
- public (anonymous or no profile): published aggregates only.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from eiphub.registry.models import Enterprise, Park

from .models import Role

READ_ONLY_ROLES = {Role.MINISTRY, Role.PUBLIC}


def role_of(user) -> str:
    if user is None or not user.is_authenticated:
        return Role.PUBLIC
    if user.is_superuser:
        return Role.MINISTRY
    profile = getattr(user, "profile", None)
    return profile.role if profile else Role.PUBLIC


def _profile(user):
    return getattr(user, "profile", None)


def parks_for(user) -> QuerySet[Park]:
    """Parks whose detailed data the user may see."""
    role = role_of(user)
    qs = Park.objects.all()
    p = _profile(user)
    if role == Role.MINISTRY:
        return qs
    if role == Role.BOARD and p and p.province_id:
        return qs.filter(province_id=p.province_id)
    if role == Role.DEVELOPER and p and p.organization_id:
        return qs.filter(developer_id=p.organization_id)
    if role == Role.CONSULTANT and p:
        return qs.filter(consultants=p)
    if role == Role.ENTERPRISE and p and p.enterprise_id:
        return qs.filter(enterprises=p.enterprise_id)
    return qs.none()


def public_parks() -> QuerySet[Park]:
    """Parks listed for everyone (names, location, published aggregates)."""
    return Park.objects.all()


def enterprises_for(user) -> QuerySet[Enterprise]:
    """Enterprises whose records (including flows) the user may read."""
    role = role_of(user)
    p = _profile(user)
    if role == Role.ENTERPRISE:
        if not (p and p.enterprise_id):
            return Enterprise.objects.none()
        return Enterprise.objects.filter(
            Q(pk=p.enterprise_id) | Q(publish_flows=True, park__enterprises=p.enterprise_id)
        ).distinct()
    if role == Role.PUBLIC:
        return Enterprise.objects.none()
    return Enterprise.objects.filter(park__in=parks_for(user))


def enterprise_records_for(user) -> QuerySet[Enterprise]:
    """Enterprises whose full record the user may read: finance (revenue, value added),
    coordinates, workforce and RECP measures.

    The "publish flows" consent (``Enterprise.publish_flows``) publishes an enterprise's
    name and monthly flows to its park neighbours, nothing else: for an enterprise user
    this is its own enterprise only.  Other roles: as ``enterprises_for``.
    """
    role = role_of(user)
    if role == Role.ENTERPRISE:
        p = _profile(user)
        if not (p and p.enterprise_id):
            return Enterprise.objects.none()
        return Enterprise.objects.filter(pk=p.enterprise_id)
    return enterprises_for(user)


def enterprises_writable_by(user) -> QuerySet[Enterprise]:
    """Enterprises whose flows the user may enter or import."""
    role = role_of(user)
    p = _profile(user)
    if role == Role.ENTERPRISE and p and p.enterprise_id:
        return Enterprise.objects.filter(pk=p.enterprise_id)
    if role in (Role.DEVELOPER, Role.CONSULTANT, Role.BOARD):
        return Enterprise.objects.filter(park__in=parks_for(user))
    if user is not None and user.is_authenticated and user.is_superuser:
        return Enterprise.objects.all()
    return Enterprise.objects.none()


def parks_writable_by(user) -> QuerySet[Park]:
    """Parks whose registry data and shared-facility flows the user may edit."""
    role = role_of(user)
    if role in (Role.DEVELOPER, Role.BOARD):
        return parks_for(user)
    if user is not None and user.is_authenticated and user.is_superuser:
        return Park.objects.all()
    return Park.objects.none()


def flows_for(user):
    """Flow records the user may read."""
    from eiphub.flows.models import FlowRecord

    role = role_of(user)
    if role == Role.PUBLIC:
        return FlowRecord.objects.none()
    ents = enterprises_for(user)
    parks = parks_for(user)
    q = Q(enterprise__in=ents)
    if role != Role.ENTERPRISE:
        q |= Q(facility__isnull=False, park__in=parks)
    return FlowRecord.objects.filter(q)


def can_write(user) -> bool:
    return role_of(user) not in READ_ONLY_ROLES


def jobs_for(user):
    """Background jobs the user may follow: their own; for boards, developers,
    consultants and the ministry also the jobs about parks they see; staff all."""
    from eiphub.jobs.models import Job

    if user is None or not user.is_authenticated:
        return Job.objects.none()
    if user.is_superuser or user.is_staff:
        return Job.objects.all()
    q = Q(owner=user)
    if role_of(user) in (Role.MINISTRY, Role.BOARD, Role.DEVELOPER, Role.CONSULTANT):
        q |= Q(park__in=parks_for(user))
    return Job.objects.filter(q)


def can_control_job(user, job) -> bool:
    """Cancel and retry: the job's owner or staff."""
    if user is None or not user.is_authenticated:
        return False
    return job.owner_id == user.pk or user.is_superuser or user.is_staff


def stations_for(user):
    """Monitoring stations whose data the user may see: every station of the parks the user
    sees; an enterprise user sees the park's own stations and its enterprise's stations only."""
    from eiphub.monitoring.models import Station

    role = role_of(user)
    if role == Role.PUBLIC:
        return Station.objects.none()
    qs = Station.objects.filter(park__in=parks_for(user))
    if role == Role.ENTERPRISE:
        p = _profile(user)
        qs = qs.filter(Q(enterprise__isnull=True) | Q(enterprise_id=p.enterprise_id))
    return qs


def stations_writable_by(user):
    """Stations whose data the user may upload and whose ingestion token the user may renew:
    the park's developer and board for every station, an enterprise for its own stations."""
    from eiphub.monitoring.models import Station

    role = role_of(user)
    if role == Role.ENTERPRISE:
        p = _profile(user)
        return (
            Station.objects.filter(enterprise_id=p.enterprise_id) if p else Station.objects.none()
        )
    return Station.objects.filter(park__in=parks_writable_by(user))


def projects_for(user):
    """Project sheets (finance) the user may read: those of the parks the user sees; an
    enterprise user only its own enterprise's projects (they carry its investment figures)."""
    from eiphub.finance.models import Project

    role = role_of(user)
    if role == Role.PUBLIC:
        return Project.objects.none()
    if role == Role.ENTERPRISE:
        p = _profile(user)
        if not (p and p.enterprise_id):
            return Project.objects.none()
        return Project.objects.filter(enterprise_id=p.enterprise_id)
    return Project.objects.filter(park__in=parks_for(user))


def projects_writable_by(user):
    """Project sheets the user may create, edit and move through the pipeline: boards,
    developers and consultants for the parks they see, an enterprise for its own projects;
    the ministry reads only."""
    from eiphub.finance.models import Project

    if user is not None and user.is_authenticated and user.is_superuser:
        return Project.objects.all()
    if role_of(user) in (Role.BOARD, Role.DEVELOPER, Role.CONSULTANT, Role.ENTERPRISE):
        return projects_for(user)
    return Project.objects.none()


def project_parks_writable_by(user) -> QuerySet[Park]:
    """Parks in which the user may open a project sheet (enterprise: its own park)."""
    if user is not None and user.is_authenticated and user.is_superuser:
        return Park.objects.all()
    if role_of(user) in (Role.BOARD, Role.DEVELOPER, Role.CONSULTANT, Role.ENTERPRISE):
        return parks_for(user)
    return Park.objects.none()


def can_verify_benefits(user) -> bool:
    """Benefits are marked verified by a management board or a consultant (on the projects
    they may read), never by the project's developer or enterprise."""
    return role_of(user) in (Role.BOARD, Role.CONSULTANT)


def may_import_handler_lists(user) -> bool:
    """Who loads the authority's published lists of licensed waste handlers into the
    exchange directory (issue 17): the park board and the ministry."""
    return role_of(user) in (Role.BOARD, Role.MINISTRY) and not getattr(user, "is_anonymous", True)


def may_read_handler_directory(user) -> bool:
    """The directory holds published licences (public information): every signed-in user."""
    return bool(getattr(user, "is_authenticated", False))


# ------------------------------------------------------------------ programme (issue 15)

READINESS_ROLES = {Role.MINISTRY, Role.BOARD}


def can_see_readiness(user) -> bool:
    """The readiness ranking ("which parks to convert first"): the ministry (every park) and
    the provincial boards (their province's parks, ``parks_for``)."""
    return role_of(user) in READINESS_ROLES


def can_run_readiness(user) -> bool:
    """Who may ask for the ranking to be recomputed (a job; it writes no park data)."""
    return can_see_readiness(user)
