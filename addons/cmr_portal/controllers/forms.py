"""Abuse controls of the public forms (the online application; the enquiry
form reuses them): a honeypot field, a rate limit per IP address and per
email address (``cmr.form.attempt``), and reading uploads within a size
limit. CSRF is Odoo's own: every POST route keeps ``csrf=True`` and the
forms post ``request.csrf_token()``."""

from odoo.http import request

# a field hidden from people (CSS and aria-hidden) that bots fill in
HONEYPOT_FIELD = "website_url"


def honeypot_tripped(post):
    """True when the hidden honeypot field came back filled."""
    return bool(post.get(HONEYPOT_FIELD))


def rate_limited(form, email):
    """Count one send of ``form`` from this request's IP address for
    ``email``; True when either sent too often (see cmr.form.attempt)."""
    ip_address = (request.httprequest.remote_addr or "")[:64]
    return request.env["cmr.form.attempt"]._cmr_rate_limited(form, ip_address, email)


def read_upload(upload, max_bytes):
    """``(file_name, data)`` of an uploaded file (werkzeug FileStorage), or
    ``None`` when nothing was chosen. At most ``max_bytes + 1`` bytes are
    read, so that a file over the limit is refused without being held in
    memory whole (the model's check says it is too large)."""
    if not upload or not getattr(upload, "filename", None):
        return None
    return upload.filename[:200], upload.stream.read(max_bytes + 1)


def requirement_uploads(requirements, max_bytes):
    """``[(requirement, file_name, data)]``: the files posted for the
    checklist ``requirements`` as ``doc_<requirement id>`` (see
    ``read_upload``)."""
    files = []
    for requirement in requirements:
        upload = read_upload(
            request.httprequest.files.get(f"doc_{requirement.id}"), max_bytes
        )
        if upload:
            files.append((requirement, *upload))
    return files
