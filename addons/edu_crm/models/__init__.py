# records (people, programmes, intakes, enrolments, admissions)
from . import edu_system_fields_mixin
from . import edu_workflow_mixin
from . import ir_sequence_batch
from . import res_partner
from . import res_partner_duplicate
from . import edu_programme
from . import edu_intake
from . import edu_enrollment
from . import crm_team
from . import crm_stage
from . import crm_lead
from . import crm_lead_enrol
from . import edu_lead_stage_history
from . import edu_admission_report

# online applications
from . import edu_programme_requirement
from . import edu_intake_application
from . import edu_application_document
from . import crm_lead_application
from . import crm_lost_reason

# documents
from . import edu_document_type
from . import edu_document
from . import edu_document_issue
from . import ir_attachment
from . import ir_actions_report
from . import edu_enrollment_document
from . import survey_user_input
from . import survey_user_input_lead
from . import edu_programme_questionnaire

# tuition
from . import edu_payment_plan
from . import edu_tuition_contract
from . import edu_tuition_contract_taxes
from . import edu_tuition_contract_state
from . import edu_tuition_contract_schedule
from . import edu_tuition_payer
from . import edu_tuition_instalment
from . import edu_tuition_instalment_invoicing
from . import account_move
from . import edu_reminder_stage
from . import edu_reminder_log
from . import edu_payment_report
from . import edu_enrollment_tuition
from . import edu_tuition_document
from . import edu_refreshed_report
from . import edu_cashin_forecast
from . import res_partner_segment
from . import edu_tuition_config_settings

# the person's file and timeline
from . import mail_message  # before the timeline: its view reads the call columns
from . import edu_timeline
from . import edu_timeline_access
from . import edu_timeline_query
from . import crm_lead_enquiry
from . import crm_lead_mail
from . import mail_thread
from . import res_partner_file

# the offer, its acceptance and the contract's online signature
from . import crm_lead_offer
from . import edu_document_offer
from . import edu_tuition_contract_sign
