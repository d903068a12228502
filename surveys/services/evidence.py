"""Evidence for answers: uploaded documents and web addresses.

Files are checked by their content (the ``filetype`` package reads their magic numbers; the
name and the browser's content type are never trusted), limited to
``settings.EVIDENCE_MAX_BYTES``, stored under ``settings.EVIDENCE_ROOT`` (outside the web root)
under a random name, and served only through a view that checks the user may see the
assessment. Every change is audited and refused while the assessment is locked.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

import filetype
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
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
    "evidence_path",
]

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
    root = Path(settings.EVIDENCE_ROOT)
    relative = Path(str(assessment.pk)) / f"{uuid.uuid4().hex}.{ACCEPTED_TYPES[mime]}"
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
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
        with transaction.atomic():
            locked = _lock_editable(assessment)
            evidence = Evidence.objects.create(
                assessment=locked,
                question_code=question_code,
                kind=EvidenceKind.FILE,
                stored_path=relative.as_posix(),
                original_name=Path(upload.name or "evidence").name[:255],
                content_type=mime,
                size=size,
                sha256=digest.hexdigest(),
                description=description.strip()[:300],
                uploaded_by=actor,
            )
            _audit(evidence, actor, old=None, new=_snapshot(evidence), action="evidence_add")
    except BaseException:
        target.unlink(missing_ok=True)
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
            transaction.on_commit(lambda: path.unlink(missing_ok=True))


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
