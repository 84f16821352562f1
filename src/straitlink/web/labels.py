"""What people read instead of field names and ids: every label is an English msgid translated when shown."""

from __future__ import annotations

from straitlink.web.i18n import N_

KINDS = {
    "documents": N_("Documents"),
    "cases": N_("Cases"),
    "operations": N_("Operations"),
    "persons": N_("Persons"),
    "seizures": N_("Seizures"),
    "intel": N_("Intel hand-overs"),
    "outcomes": N_("Outcomes"),
    "meetings": N_("Meetings"),
    "figures": N_("Published figures"),
    "requests": N_("Requests"),
}

FIELDS = {
    "title": N_("Title"),
    "publisher": N_("Publisher"),
    "published_on": N_("Published on"),
    "kind": N_("Kind"),
    "joint": N_("Joint case"),
    "opened_on": N_("Opened on"),
    "summary": N_("Summary"),
    "agencies": N_("Agencies"),
    "places": N_("Places"),
    "place": N_("Place"),
    "case": N_("Case"),
    "name": N_("Name"),
    "date": N_("Date"),
    "personnel": N_("Personnel"),
    "vessels": N_("Vessels"),
    "containers": N_("Containers"),
    "seizures": N_("Seizures"),  # an outcome's: the seizures the intel led to
    "persons": N_("Persons"),
    "conveyance": N_("Conveyance"),
    "concealment": N_("Concealment"),
    "role": N_("Role"),
    "caught_in_act": N_("Caught in the act"),
    "nationality": N_("Nationality"),
    "drug": N_("Drug"),
    "quantities": N_("Quantities"),
    "operation": N_("Operation"),
    "description": N_("Description"),
    "provider_agency": N_("Providing agency"),
    "provider_party": N_("Providing side"),
    "recipient_party": N_("Receiving side"),
    "classification": N_("Classification"),
    "intel": N_("Intel"),
    "note": N_("Note"),
    "host": N_("Host"),
    "participants": N_("Participants"),
    "decisions": N_("Decisions"),
    "value": N_("Value"),
    "requesting_party": N_("Requesting side"),
    "type": N_("Type"),
    "subject": N_("Subject"),
    "status": N_("Status"),
    "by": N_("Break down by"),
    "from": N_("Period start"),
    "to": N_("Period end"),
    "urgency": N_("Urgency"),
    "requesting_agency": N_("Requesting agency"),
    "purpose": N_("Purpose"),
    "matters": N_("Matters to be executed"),
    "case_summary": N_("Case summary"),
    "execution_needs": N_("Other information needed"),
    "requesting_ref": N_("Requesting side's reference"),
    "requested_ref": N_("Requested side's reference"),
    "executing_agency": N_("Executing agency"),
    "filed_on": N_("Filed on"),
    "sent_on": N_("Sent on"),
    "received_on": N_("Received on"),
    "closed_on": N_("Closed on"),
    "confirmed_on": N_("Confirmed in writing on"),
    "provenance": N_("Source"),
    "as_received": N_("As received from the other side"),
    "personnel_party": N_("Side of the personnel"),
    "marking": N_("Marking"),
    "source_reliability": N_("Source reliability"),
    "information_accuracy": N_("Information accuracy"),
    "sequence": N_("Session"),
    "cross_strait": N_("Cross-Strait"),
    "username": N_("Username"),
    "agency": N_("Agency"),
    "display_name": N_("Display name"),
    "clearance": N_("Clearance"),
    "password": N_("Password"),
    "again": N_("Password again"),
    "label": N_("Referred to as"),  # a person named only as 陳姓嫌犯 or 嫌犯1
    # A meeting's follow-ups
    "action": N_("What was agreed"),
    "decision": N_("Decision followed up"),
    "due": N_("Due"),
    "status_on": N_("Status since"),
    "request": N_("Request"),
}

FOLLOW_UP_STATUSES = {
    "open": N_("Open"),
    "in_progress": N_("In progress"),
    "done": N_("Done"),
    "dropped": N_("Dropped"),
}

STATUSES = {
    "filed": N_("Filed"),
    "sent": N_("Sent"),
    "received": N_("Received"),
    "info_requested": N_("Information requested"),
    "assigned": N_("Assigned"),
    "in_execution": N_("In execution"),
    "postponed": N_("Postponed"),
    "completed": N_("Completed"),
    "refused": N_("Refused"),
    "unable": N_("Unable to complete"),
    "withdrawn": N_("Withdrawn"),
}

# The button that moves a request to each status.
STEPS = {
    "sent": N_("Send"),
    "received": N_("Record receipt"),
    "info_requested": N_("Ask for more information"),
    "assigned": N_("Assign"),
    "in_execution": N_("Start execution"),
    "postponed": N_("Postpone"),
    "completed": N_("Complete"),
    "refused": N_("Refuse"),
    "unable": N_("Report unable"),
    "withdrawn": N_("Withdraw"),
}

ACTIONS = {
    "file": N_("Filed"),
    "send": N_("Sent"),
    "receive": N_("Received"),
    "request_info": N_("Information requested"),
    "supplement": N_("Supplemented"),
    "assign": N_("Assigned"),
    "start": N_("Execution started"),
    "postpone": N_("Postponed"),
    "resume": N_("Execution resumed"),
    "complete": N_("Completed"),
    "refuse": N_("Refused"),
    "report_unable": N_("Reported unable"),
    "withdraw": N_("Withdrawn"),
    "confirm_in_writing": N_("Confirmed in writing"),
}

PARTIES = {"TW": N_("Taiwan"), "CN": N_("Mainland")}
DIRECTIONS = {"tw_to_cn": N_("Taiwan → Mainland"), "cn_to_tw": N_("Mainland → Taiwan")}
ROLES = {
    "requesting_side": N_("Requesting side"),
    "requested_side": N_("Requested side"),
    "contact_point": N_("Contact point"),
    "executing_agency": N_("Executing agency"),
}
DEADLINE_STATES = {
    "running": N_("Running"),
    "overdue": N_("Overdue"),
    "met": N_("Met"),
    "late": N_("Met late"),
    "closed": N_("Closed before it was due"),
}
GROUNDS = {
    "not_conforming": N_("Does not conform to our law"),
    "public_order": N_("Harms public order or good morals"),
    "other": N_("Other ground"),
}
PERSON_ROLES = {
    "suspect": N_("Suspect"),
    "witness": N_("Witness"),
    "fugitive": N_("Fugitive"),
    "sentenced": N_("Sentenced"),
}
AGENCY_ROLES = {
    "directing": N_("Directing"),
    "leading": N_("Leading"),
    "participating": N_("Participating"),
    "intel_provider": N_("Intel provider"),
}
URGENCY = {"normal": N_("Normal"), "urgent": N_("Urgent")}
PROVENANCE = {
    "user": N_("Entered by a user"),
    "document": N_("From a document"),
    "peer": N_("From the other side"),
    "synthetic": N_("Synthetic (demo)"),
}
BREAKDOWNS = {
    "type": N_("Request type"),
    "direction": N_("Direction"),
    "party": N_("Side"),
    "month": N_("Month"),
    "year": N_("Year"),
    "agency": N_("Agency"),
    "drug": N_("Drug"),
    "place": N_("Place"),
}


def label(table: dict[str, str], key: object) -> str:
    """The msgid for a key, or the key itself when the table has none (a value new to the labels)."""
    return table.get(str(key), str(key))


# Deadline rules by id (services/data/deadlines.yaml); a rule added there shows its English title until labelled.
DEADLINE_RULES = {
    "document-service-three-months": N_("Serve the documents within three months of receiving the request"),
    "urgent-written-confirmation": N_("Confirm in writing an urgent request made in another form"),
}

# The `kind` field means a case's kind on a case and a meeting's kind on a meeting.
KIND_VALUES = {
    "drugs": N_("Drugs"),
    "fraud": N_("Fraud"),
    "kidnapping": N_("Kidnapping"),
    "homicide": N_("Homicide"),
    "smuggling": N_("Smuggling"),
    "other": N_("Other"),
    "liaison_coordination": N_("Liaison coordination meeting"),
    "working_talks": N_("Working talks"),
    "seminar": N_("Seminar"),
    "field_visit": N_("Field visit"),
    "case_conference": N_("Case conference"),
    "policy_meeting": N_("Policy meeting"),
}
CONVEYANCES = {
    "sea_cargo": N_("Sea cargo"),
    "container": N_("Container"),
    "air_cargo": N_("Air cargo"),
    "postal": N_("Post"),
    "courier": N_("Courier"),
    "fishing_boat": N_("Fishing boat"),
    "passenger": N_("Passenger"),
    "other": N_("Other"),
}
CLASSIFICATIONS = {
    "unclassified": N_("Unclassified"),
    "restricted": N_("Restricted"),
    "confidential": N_("Confidential"),
    "secret": N_("Secret"),
}

ACCOUNT_ROLES = {
    "admin": N_("Administrator"),
    "liaison_officer": N_("Liaison officer"),
    "prosecutor": N_("Prosecutor"),
    "investigator": N_("Investigator"),
    "analyst": N_("Analyst"),
    "viewer": N_("Viewer"),
    "peer": N_("The other side's instance"),
}

# Intel's grading: how reliable its source has proved (A–X) and how accurate the item is (1–4).
SOURCE_RELIABILITY = {
    "A": N_("A: always reliable"),
    "B": N_("B: mostly reliable"),
    "C": N_("C: not reliable"),
    "X": N_("X: cannot be judged"),
}
INFORMATION_ACCURACY = {
    "1": N_("1: known to be true"),
    "2": N_("2: known to the source, not to the officer"),
    "3": N_("3: not known"),
    "4": N_("4: doubtful"),
}
