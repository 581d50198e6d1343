"""The user sets of the reviewed surface tables and the reviewed table of
writable fields (``WRITABLE_FIELDS``); ``test_surface.py`` holds the table of
public methods and the tests that compare both with the registry."""

USERS = ("portal", "employee", "marketing", "pressure", "edu_user", "edu_manager")
EDU = frozenset({"edu_user", "edu_manager"})
MANAGER = frozenset({"edu_manager"})
MARKETING = frozenset({"marketing", "pressure"})
PRESSURE = frozenset({"pressure"})
# a method anyone may call because it only opens a window action (the data
# shown goes through access rights and record rules); still refused to users
# who cannot read the record
READERS = "readers"
# the applicant of an online application (portal) and the admissions office
APPLICANT = frozenset({"portal", "edu_user", "edu_manager"})
# the applicant alone: answering the offer made to them
APPLICANT_ONLY = frozenset({"portal"})

# model: [(who may write, guard, "fields")]: who the access rights and field
# groups let write; guard None = nothing more; "workflow" = only transition
# methods set it (refused to every user); "terms" = frozen once the record
# leaves draft (tried on an active contract: refused to every user); a set of
# users = the model lets only those write it.
WRITABLE_FIELDS = {
    # campaign_pressure
    "campaign.journey": [
        (
            MARKETING,
            None,
            # participant_ids: its rows are refused by the participant model
            "active campaign_id color company_id date_field date_offset_days "
            "domain entry_mode exit_domain goal_domain model_id model_name name "
            "participant_ids priority reentry reentry_days sequence step_ids "
            "unique_key",
        ),
        (MARKETING, None, "has_exit has_goal"),
        (MARKETING, None, "reentry_field reentry_year_start"),
        (MARKETING, None, "recipient_field"),
        (MARKETING, PRESSURE, "is_transactional"),
        (MARKETING, "workflow", "last_entry_scan launch_date launched_by_id state"),
    ],
    "campaign.journey.step": [
        (
            MARKETING,
            None,
            # item_ids: its rows are refused by the work item model
            "active activity_deadline_days activity_note activity_summary "
            "activity_type_id activity_user_id activity_user_mode body_html "
            "body_plaintext child_ids company_id expiry_hours fallback_step_id "
            "filter_domain hold_action interval_number interval_type item_ids "
            "journey_id kind model_name name parent_id retry_hours retry_max_days "
            "sequence server_action_id subject trigger",
        ),
        (MARKETING, None, "response_polarity response_reason_id"),
        (MARKETING, "workflow", "mailing_id"),
        # its mailing's own cost and best channel (issue 15), written through
        # to the mailing: the cost by pressure managers only, as a mailing's
        (MARKETING, PRESSURE, "budget_cost_override budget_message_cost"),
        # a letter or call step's own cost (no mailing): pressure managers
        (MARKETING, PRESSURE, "step_cost_override step_message_cost"),
        (MARKETING, None, "best_channel best_channel_ids"),
        # read from the mailing (related, read-only)
        (MARKETING, None, "budget_currency_id budget_unit_cost"),
    ],
    "campaign.journey.test": [
        (MARKETING, None, "email_to journey_id model_name res_id"),
        (MARKETING, "workflow", "participant_id"),
    ],
    "campaign.pressure.channel": [(PRESSURE, None, "code name sequence")],
    "campaign.pressure.channel.cost": [
        (PRESSURE, None, "capacity_limited channel_id company_id cost daily_capacity")
    ],
    "campaign.response": [
        (
            MARKETING,
            None,
            "campaign_id channel company_id date email mailing_id note partner_id "
            "polarity reason_id",
        ),
        # recorded by the server from clicks, replies and opt-outs
        (MARKETING, "workflow", "optout_reason_id source source_ref user_id"),
        # stamped from the reason when the response is recorded
        (MARKETING, "workflow", "suppress_scope suppress_until"),
    ],
    "campaign.response.reason": [
        (PRESSURE, None, "active name polarity sequence"),
        (
            PRESSURE,
            None,
            "cooldown_reason end_journeys segment_tag_id start_journey_id "
            "suppress_days suppress_scope",
        ),
    ],
    # access rights let every employee write a campaign, the model only
    # pressure managers its budget
    "utm.campaign": [
        ({"employee"} | EDU | MARKETING, PRESSURE, "budget_planned company_id"),
        ({"employee"} | EDU | MARKETING, PRESSURE, "holdout_percent"),
        # how best-channel mailings choose (the budget caps what they spend)
        ({"employee"} | EDU | MARKETING, None, "channel_policy channel_rate_threshold"),
    ],
    "campaign.pressure.rule": [
        (
            PRESSURE,
            None,
            "active campaign_ids channel_ids company_id max_contacts name period "
            "phone_action scope sequence utm_tag_ids window_days window_type",
        )
    ],
    "campaign.pressure.letter": [
        (MARKETING, None, "campaign_id partner_ids skip_saturated weight"),
        (MARKETING, "workflow", "held_partner_ids logged_count state"),
    ],
    "campaign.pressure.simulation": [
        (
            MARKETING,
            None,
            "blacklist_count duplicate_count exempt_count held_count invalid_count "
            "mailing_id mailing_type optout_count postponed_count purpose "
            "recipient_count recipient_line_ids rule_line_ids send_count",
        ),
        # the plan of a best-channel mailing: written by the check (as sudo)
        (
            MARKETING,
            None,
            "best_channel plan_currency_id plan_excluded_ids plan_line_ids",
        ),
    ],
    "mailing.mailing": [
        (MARKETING, None, "pressure_priority pressure_weight"),
        # access rights let marketing users write it, the model only managers
        (MARKETING, PRESSURE, "pressure_exempt"),
        (MARKETING, PRESSURE, "budget_cost_override budget_message_cost"),
        (MARKETING, None, "best_channel best_channel_ids"),
        # a journey step's mailing: linked by its step (issue 14)
        (MARKETING, "workflow", "journey_step_id"),
    ],
    "mailing.trace": [
        # Odoo's field: only its "pressure" value is the engine's (refused to
        # users, campaign_pressure's TestPressureGuards)
        (MARKETING, None, "failure_type"),
        (
            MARKETING,
            "workflow",
            "pressure_count pressure_postponed_until pressure_reason "
            "pressure_reason_args pressure_rule_id pressure_threshold",
        ),
    ],
    "mail.activity": [
        (
            EDU | MARKETING | {"employee"},
            None,
            "pressure_call_outcome pressure_marketing_call",
        )
    ],
    "mail.activity.type": [
        (MANAGER, None, "pressure_marketing_call"),
        # cmr_portal: which activity types an applicant sees as the next step
        (MANAGER, None, "cmr_applicant_visible"),
    ],
    # cmr_portal
    "cmr.feedback": [
        (
            EDU,
            "workflow",
            "comment company_id is_negative partner_id rating state",
        )
    ],
    "cmr.request": [
        (EDU, None, "user_id"),
        (
            EDU,
            "workflow",
            "company_id contract_id description document_id document_type_id "
            "instalment_due_date instalment_id instalment_sequence name partner_id "
            "refuse_reason request_type requested_count requested_date state",
        ),
    ],
    # edu_crm: people and admissions
    "res.partner": [
        (
            EDU,
            None,
            "cmr_consent_log_ids cmr_preferred_channel "
            "cmr_sponsor_consent edu_birthdate edu_enrollment_ids edu_guardian_id "
            "edu_is_alumnus edu_is_applicant edu_is_graduate_student edu_is_sponsor "
            "edu_is_staff edu_is_student edu_national_id edu_sponsor_ids "
            "edu_sponsored_ids edu_ward_ids pressure_blocked_channel_ids "
            "pressure_max_contacts pressure_period pressure_quiet_fri "
            "pressure_quiet_from pressure_quiet_mon pressure_quiet_sat "
            "pressure_quiet_sun pressure_quiet_thu pressure_quiet_to "
            "pressure_quiet_tue pressure_quiet_wed",
        ),
        (
            EDU,
            "workflow",
            "edu_engagement_segment edu_national_id_normalized edu_ontime_rate "
            "edu_payment_history_count edu_payment_segment edu_phone_normalized "
            "edu_student_number",
        ),
        # edu_campaign: the RFM scores, set by the scoring job only
        (
            EDU,
            "workflow",
            "edu_rfm_frequency edu_rfm_history_ids edu_rfm_interactions "
            "edu_rfm_last_interaction edu_rfm_monetary edu_rfm_paid "
            "edu_rfm_previous_segment_id edu_rfm_punctuality edu_rfm_recency "
            "edu_rfm_segment_date edu_rfm_segment_id",
        ),
    ],
    "crm.lead": [
        (
            EDU,
            None,
            "edu_birthdate edu_enrollment_ids edu_funding edu_intake_id "
            "edu_is_admissions edu_national_id edu_programme_id edu_seats_available "
            "edu_sponsor_id edu_stage_history_ids edu_survey_answer_ids "
            # CRM's field, computed from the programme for admissions leads
            "expected_revenue",
        ),
        # online applications: the documents' rows are refused by their model
        (EDU, None, "edu_application_document_ids edu_sponsor_name"),
        (EDU, "workflow", "edu_checklist_state edu_is_online"),
        (EDU, "workflow", "edu_offer_document_id edu_offer_state"),
    ],
    # how likely an application in a stage is; the stage only enrolling reaches
    "crm.stage": [(MANAGER, None, "edu_is_enrolment edu_probability")],
    "crm.team": [(MANAGER, None, "edu_is_admissions")],
    "survey.user_input": [(EDU, None, "edu_lead_id")],
    "edu.lead.enrol.wizard": [(EDU, None, "lead_ids")],
    # edu_crm: programmes, intakes, enrolments
    "edu.programme": [
        (
            MANAGER,
            None,
            "active capacity code company_id description duration_months intake_ids "
            "level list_price mode name product_id",
        ),
        (MANAGER, None, "requirement_ids"),
        # edu_crm: the admission questionnaire answered from the application
        (MANAGER, None, "survey_id"),
    ],
    "edu.programme.requirement": [
        (
            MANAGER,
            None,
            "company_id description is_required name programme_id sequence",
        )
    ],
    "edu.intake": [
        (
            MANAGER,
            None,
            "active company_id date_end date_start enrollment_ids name programme_id "
            "seats seats_available seats_taken",
        ),
        (MANAGER, None, "application_deadline"),
        (MANAGER, "workflow", "state"),
    ],
    "edu.enrollment": [
        (
            EDU,
            None,
            "company_id date_applied funding intake_id name partner_id programme_id "
            "sponsor_id student_number tuition_contract_ids",
        ),
        (
            EDU,
            "workflow",
            "date_admitted date_end date_enrolled date_graduated date_leave lead_id "
            "reason state",
        ),
    ],
    "edu.enrollment.reason.wizard": [(EDU, None, "enrollment_ids reason target_state")],
    # edu_crm: documents
    "edu.document.type": [
        (
            MANAGER,
            None,
            "active cmr_portal_requestable code name note padding prefix report_id "
            "sequence",
        )
    ],
    "edu.document": [
        (
            EDU,
            None,
            "body company_id origin_id partner_id source_ref type_code type_id",
        ),
        (
            EDU,
            "workflow",
            "attachment_id cancelled_by_id checksum date_cancelled date_issued "
            "issued_by_id name replacement_id state",
        ),
    ],
    # edu_crm: tuition
    "edu.payment.plan": [
        (
            MANAGER,
            None,
            "active company_id instalment_count line_ids name plan_type sequence",
        )
    ],
    "edu.payment.plan.line": [
        (MANAGER, None, "delay_days delay_months percentage plan_id sequence")
    ],
    "edu.reminder.stage": [
        (
            MANAGER,
            None,
            "active activity_type_id activity_user_id company_id create_activity "
            "days_overdue mail_template_id name propose_suspension sequence "
            "sms_template_id",
        )
    ],
    "edu.tuition.cancel.wizard": [(MANAGER, None, "contract_id currency_id mode")],
    "edu.tuition.contract": [
        (EDU, None, "note user_id"),
        (
            EDU,
            "terms",
            "company_id currency_id date_start discount enrollment_id instalment_ids "
            "list_price past_due_policy payer_ids plan_id product_id programme_id "
            "scholarship_amount student_id",
        ),
        (
            EDU,
            "workflow",
            "amount_invoiced amount_paid amount_price amount_residual amount_tax "
            "amount_total amount_untaxed document_id invoice_ids name state "
            "suspension_proposed",
        ),
        # signed online by the student (edu_tuition_contract_sign.py)
        (EDU, "workflow", "signature signed_by signed_on"),
    ],
    "edu.tuition.instalment": [
        (EDU, "terms", "amount due_date sequence"),
        (
            EDU,
            "workflow",
            "amount_invoiced amount_paid amount_residual amount_total amount_untaxed "
            "company_id contract_id contract_state currency_id invoice_ids "
            "payment_state programme_id reminder_log_ids student_id",
        ),
        # edu_campaign: computed from the contract's payers
        (EDU, "workflow", "payer_id"),
    ],
    "edu.tuition.payer": [
        (EDU, "terms", "partner_id sequence share"),
        (EDU, "workflow", "company_id contract_id is_sponsor"),
    ],
    "account.move": [(EDU, "workflow", "edu_contract_id edu_instalment_id")],
    # edu_crm: calls logged from the person or the lead; only the call log
    # stamps a message with what the call was
    "edu.call.log": [(EDU, None, "direction duration lead_id note outcome partner_id")],
    "mail.message": [
        (
            EDU | MARKETING | {"employee"},
            "workflow",
            "edu_call_direction edu_call_duration edu_call_outcome",
        )
    ],
    # edu_campaign: the CRM's lost reasons (Sales configuration) say which
    # negative response a lost lead records
    "crm.lost.reason": [
        (MANAGER, None, "response_reason_id"),
        # edu_crm: the reasons offered to applicants (decline, withdraw)
        (MANAGER, None, "company_id edu_applicant_reason"),
    ],
    # edu_campaign: the RFM segments (Education configuration)
    "edu.rfm.segment": [
        (
            MANAGER,
            None,
            "active code description frequency_max frequency_min monetary_min "
            "name punctuality_min recency_max recency_min sequence",
        )
    ],
}
