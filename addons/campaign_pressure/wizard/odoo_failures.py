"""What Odoo's mass mail and mass SMS composers cancel, record by record,
reproduced on sets for the pressure check (``campaign.pressure.simulation``):
pure functions, no database, so that the check's prediction can be compared
with Odoo's own send (``tests/test_check_is_the_send.py``)."""

# what Odoo's send cancels (failure type of the trace) -> category of the check
ODOO_CATEGORIES = {
    "mail_bl": "blacklist",
    "sms_blacklist": "blacklist",
    "mail_optout": "optout",
    "sms_optout": "optout",
    "mail_dup": "duplicate",
    "sms_duplicate": "duplicate",
    "mail_email_missing": "invalid",
    "mail_email_invalid": "invalid",
    "sms_number_missing": "invalid",
    "sms_number_format": "invalid",
}


def mail_failure_types(res_ids, recipients, blacklist_ids, optout, seen, batch_size):
    """What Odoo's mass mail composer cancels, record by record.

    The decisions of ``mail.compose.message._process_mail_values_state``,
    in its order, on the batches of ``batch_size`` the send makes: a record
    is a duplicate when its addresses were traced by an earlier batch (the
    mailing's ``_get_seen_list``, read again before each batch: the first
    address of each earlier record) or mailed earlier in its own batch.
    Within a batch Odoo also compares subject and body: a mailing's are the
    same for everybody unless personalised, which this check assumes.

    :param list res_ids: records in the send's order;
    :param dict recipients: res_id -> ``(mail_to, mail_to_normalized)`` as
      the composer's ``_get_recipients_data``;
    :param set blacklist_ids: the composer's ``_get_blacklist_record_ids``;
    :param set optout: the composer's ``_get_optout_emails``;
    :param set seen: the composer's ``_get_done_emails`` before the send;
    :return dict: res_id -> failure type, None when mailed
    """
    result = {}
    traced = set(seen)
    for start in range(0, len(res_ids), batch_size):
        batch = res_ids[start : start + batch_size]
        mailed = set()
        for res_id in batch:
            mail_to, normalized = recipients[res_id]
            if res_id in blacklist_ids:
                failure = "mail_bl"
            elif not any(mail_to):
                failure = "mail_email_missing"
            elif not any(normalized):
                failure = "mail_email_invalid"
            elif optout and all(email in optout for email in normalized):
                failure = "mail_optout"
            elif traced and all(email in traced for email in normalized):
                failure = "mail_dup"
            elif all(email in mailed for email in normalized):
                failure = "mail_dup"
            else:
                mailed.update(normalized)
                failure = None
            result[res_id] = failure
        # the batch's traces, read by the next batch's seen list
        traced.update((recipients[res_id][0] or [""])[0] or "" for res_id in batch)
        traced.discard("")
    return result


def sms_failure_types(res_ids, recipients, blacklist_numbers, optout_ids, seen_ids):
    """What Odoo's mass SMS composer cancels, record by record: the
    decisions of ``sms.composer._prepare_mass_sms_values`` in its order
    (blacklist, opt-out, duplicate, number), with the blacklist and the
    duplicates of ``_get_blacklist_record_ids`` / ``_get_done_record_ids``
    computed on sets.

    :param dict recipients: res_id -> ``(sanitized, number)`` as
      ``_sms_get_recipients_info``;
    :param set seen_ids: records already reached (``_get_seen_list_sms``);
    :return dict: res_id -> failure type, None when sent
    """
    result = {}
    numbers = set()
    for res_id in res_ids:
        sanitized, number = recipients[res_id]
        duplicate = res_id in seen_ids or sanitized in numbers
        numbers.add(sanitized)
        if sanitized and sanitized in blacklist_numbers:
            failure = "sms_blacklist"
        elif sanitized and res_id in optout_ids:
            failure = "sms_optout"
        elif sanitized and duplicate:
            failure = "sms_duplicate"
        elif not sanitized:
            failure = "sms_number_format" if number else "sms_number_missing"
        else:
            failure = None
        result[res_id] = failure
    return result
