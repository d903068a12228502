"""Evidence for answers: uploaded documents and web addresses.

Files are checked by their content (the ``filetype`` package reads their magic numbers; the
name and the browser's content type are never trusted), limited to
``settings.EVIDENCE_MAX_BYTES``, stored under ``settings.EVIDENCE_ROOT`` (outside the web root)
under a random name, and served only through a view that checks the user may see the
assessment. Every change is audited and refused while the assessment is locked.
"""

from __future__ import annotations

import datetime
import errno
import hashlib
import logging
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import filetype
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.audit import Change, audit_record
from surveys.models import Assessment, Evidence, EvidenceKind
from surveys.services.answers import AssessmentLocked, framework_spec

__all__ = [
    "ACCEPTED_TYPES",
    "EvidenceError",
    "evidence_add_file",
    "evidence_add_url",
    "evidence_delete",
    "evidence_orphans",
    "evidence_path",
]

logger = logging.getLogger(__name__)

#: Detected MIME type → extension used for the stored file.
ACCEPTED_TYPES: dict[str, str] = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
#: File name endings a browser may offer in its file picker (``accept``): the types above,
#: by name. Only a hint for the picker and the browser's own check; the server reads content.
ACCEPTED_EXTENSIONS: tuple[str, ...] = tuple(
    sorted({f".{extension}" for extension in ACCEPTED_TYPES.values()} | {".jpeg"})
)
_HEADER_BYTES = 8192
_CHUNK = 64 * 1024


class EvidenceError(ValueError):
    """Evidence that cannot be accepted; the message is for the user."""


def _storage_error(error: OSError) -> EvidenceError:
    """What the user reads when the evidence folder cannot take the file (nothing was saved)."""
    logger.error("Evidence storage failed: %s", error)
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = _("the storage for documents is full")
    elif error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        reason = _("the storage for documents is read-only")
    else:
        reason = _("the storage for documents is not available")
    return EvidenceError(
        _(
            "The document could not be stored: %(reason)s. Nothing was saved. Your answers are "
            "safe; try again later, and tell your administrator if it happens again."
        )
        % {"reason": reason}
    )


def _write_durably(target: Path, upload: UploadedFile) -> tuple[int, str]:
    """Write ``upload`` to a new file ``target`` and flush it to disk; return size and SHA-256.

    The file is on disk before its row is committed, so a committed row always has its file;
    a crash before the commit leaves a file without a row, which ``evidence_orphans`` finds.
    """
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(descriptor, "wb") as output:
        for chunk in upload.chunks(_CHUNK):
            size += len(chunk)
            if size > settings.EVIDENCE_MAX_BYTES:
                raise EvidenceError(
                    _("The file is larger than the %(limit)s MB allowed.")
                    % {"limit": _max_megabytes()}
                )
            digest.update(chunk)
            output.write(chunk)
        output.flush()
        os.fsync(output.fileno())
    return size, digest.hexdigest()


def _lock_editable(assessment: Assessment) -> Assessment:
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not locked.is_editable:
        raise AssessmentLocked(locked)
    return locked


def _check_question(assessment: Assessment, question_code: str) -> None:
    if question_code not in framework_spec(assessment.framework).questions_by_code:
        raise EvidenceError(_("There is no such question in this framework."))


def evidence_path(evidence: Evidence) -> Path:
    """The stored file of ``evidence``, refusing any path that would leave EVIDENCE_ROOT."""
    root = Path(settings.EVIDENCE_ROOT).resolve()
    path = (root / evidence.stored_path).resolve()
    if not evidence.stored_path or root not in path.parents:
        raise EvidenceError(_("This evidence has no stored file."))
    return path


def evidence_max_megabytes() -> str:
    """The size limit of one evidence file in MB, as people read it ("10", "2.5")."""
    return _max_megabytes()


def _max_megabytes() -> str:
    return f"{settings.EVIDENCE_MAX_BYTES / (1024 * 1024):g}"


def evidence_add_file(
    *,
    assessment: Assessment,
    question_code: str,
    upload: UploadedFile,
    actor: AbstractBaseUser,
    description: str = "",
) -> Evidence:
    """Store an uploaded document as evidence for one question.

    Raises
    ------
    EvidenceError
        When the file is empty, too large, or not a PDF, image or office document by content
        (an executable renamed ``report.pdf`` is refused).
    AssessmentLocked
        When the assessment is not editable.
    """
    _check_question(assessment, question_code)
    if not assessment.is_editable:
        raise AssessmentLocked(assessment)
    if not upload.size:
        raise EvidenceError(_("The file is empty."))
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise EvidenceError(
            _("The file is larger than the %(limit)s MB allowed.") % {"limit": _max_megabytes()}
        )
    upload.seek(0)
    header = upload.read(_HEADER_BYTES)
    detected = filetype.guess(header)
    mime = detected.mime if detected is not None else None
    if mime not in ACCEPTED_TYPES:
        raise EvidenceError(
            _(
                "This file is not accepted: only PDF, images (PNG, JPEG, GIF, WebP) and office "
                "documents are, and the type is read from the file's content, not its name."
            )
        )
    relative = Path(str(assessment.pk)) / f"{uuid.uuid4().hex}.{ACCEPTED_TYPES[mime]}"
    target = Path(settings.EVIDENCE_ROOT) / relative
    try:
        size, sha256 = _write_durably(target, upload)
        # durable: the row must really be committed when this returns; inside a caller's
        # transaction a later rollback would leave the file without its row.
        with transaction.atomic(durable=True):
            locked = _lock_editable(assessment)
            evidence = Evidence.objects.create(
                assessment=locked,
                question_code=question_code,
                kind=EvidenceKind.FILE,
                stored_path=relative.as_posix(),
                original_name=Path(upload.name or "evidence").name[:255],
                content_type=mime,
                size=size,
                sha256=sha256,
                description=description.strip()[:300],
                uploaded_by=actor,
            )
            _audit(evidence, actor, old=None, new=_snapshot(evidence), action="evidence_add")
    except BaseException as error:
        _remove_quietly(target)
        if isinstance(error, OSError):
            raise _storage_error(error) from error
        raise
    return evidence


def evidence_add_url(
    *,
    assessment: Assessment,
    question_code: str,
    url: str,
    actor: AbstractBaseUser,
    description: str = "",
) -> Evidence:
    """Record a web address (http or https only) as evidence for one question."""
    _check_question(assessment, question_code)
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise EvidenceError(
            _("Enter a full web address starting with https:// or http://.")
        ) from None
    if len(url) > 2000:
        raise EvidenceError(_("The web address is too long."))
    with transaction.atomic():
        locked = _lock_editable(assessment)
        evidence = Evidence.objects.create(
            assessment=locked,
            question_code=question_code,
            kind=EvidenceKind.URL,
            url=url,
            description=description.strip()[:300],
            uploaded_by=actor,
        )
        _audit(evidence, actor, old=None, new=_snapshot(evidence), action="evidence_add")
    return evidence


def evidence_delete(*, evidence: Evidence, actor: AbstractBaseUser) -> None:
    """Remove evidence (and its file, once the deletion is committed)."""
    with transaction.atomic():
        _lock_editable(evidence.assessment)
        snapshot = _snapshot(evidence)
        path = evidence_path(evidence) if evidence.kind == EvidenceKind.FILE else None
        _audit(evidence, actor, old=snapshot, new=None, action="evidence_delete")
        Evidence.objects.filter(pk=evidence.pk).delete()
        if path is not None:
            transaction.on_commit(lambda: _remove_quietly(path))


def _remove_quietly(path: Path) -> None:
    # A file that cannot be removed now (read-only storage) must not fail the user's action:
    # it is left as an orphan, which `manage.py evidence_orphans --delete` removes later.
    try:
        path.unlink(missing_ok=True)
    except OSError as error:
        logger.warning("Evidence file %s left behind: %s", path, error)


@dataclass(frozen=True)
class OrphanReport:
    """Files without a row and rows without a file, under ``EVIDENCE_ROOT``."""

    files_without_row: list[Path]
    rows_without_file: list[Evidence]
    young_files_skipped: int


def _stored_files(root: Path) -> Iterator[Path]:
    if root.is_dir():
        yield from (path for path in root.rglob("*") if path.is_file())


def evidence_orphans(*, min_age: datetime.timedelta) -> OrphanReport:
    """Find evidence files no row refers to, and file evidence whose file is missing.

    Files younger than ``min_age`` are skipped: an upload in progress has written its file
    but not yet committed its row.
    """
    root = Path(settings.EVIDENCE_ROOT)
    known = set(
        Evidence.objects.filter(kind=EvidenceKind.FILE).values_list("stored_path", flat=True)
    )
    cutoff = (timezone.now() - min_age).timestamp()
    orphans: list[Path] = []
    young = 0
    for path in _stored_files(root):
        if path.relative_to(root).as_posix() in known:
            continue
        if path.stat().st_mtime > cutoff:
            young += 1
        else:
            orphans.append(path)
    missing = [
        evidence
        for evidence in Evidence.objects.filter(kind=EvidenceKind.FILE).order_by("pk")
        if not (root / evidence.stored_path).is_file()
    ]
    return OrphanReport(sorted(orphans), missing, young)


def _snapshot(evidence: Evidence) -> dict[str, object]:
    return {
        "question": evidence.question_code,
        "kind": evidence.kind,
        "url": evidence.url,
        "name": evidence.original_name,
        "content_type": evidence.content_type,
        "size": evidence.size,
        "sha256": evidence.sha256,
        "description": evidence.description,
    }


def _audit(
    evidence: Evidence,
    actor: AbstractBaseUser,
    *,
    old: dict[str, object] | None,
    new: dict[str, object] | None,
    action: str,
) -> None:
    audit_record(
        assessment=evidence.assessment,
        actor=actor,
        changes=[
            Change(
                object_type="evidence",
                object_ref=f"{evidence.question_code}#{evidence.pk}",
                field="evidence",
                old_value=old,
                new_value=new,
                action=action,
            )
        ],
    )
