"""The pick-lists of the data dictionary (数据字典) and their built-in default options.

Each company receives its own copy of these options when it is created and edits them
freely; later modules read them through `selectors.dictionary_options(...)`.
"""

from django.utils.translation import gettext_lazy as _

KINDS = {
    "customer_type": _("Customer type"),
    "customer_source": _("Customer source"),
    "industry": _("Industry"),
    "contact_category": _("Contact category"),
    "activity_type": _("Activity type"),
    "opportunity_stage": _("Opportunity stage"),
    "payment_method": _("Payment method"),
    "invoice_type": _("Invoice type"),
    "complaint_type": _("Complaint type"),
}

# kind -> [(code, label, probability or None)]
DEFAULTS: dict[str, list[tuple[str, object, int | None]]] = {
    "customer_type": [
        ("vip", _("VIP customer"), None),
        ("regular", _("Regular customer"), None),
        ("potential", _("Potential customer"), None),
        ("partner", _("Partner"), None),
        ("lost", _("Lost customer"), None),
    ],
    "customer_source": [
        ("inbound_call", _("Inbound call"), None),
        ("referral", _("Customer referral"), None),
        ("website", _("Website"), None),
        ("exhibition", _("Trade show"), None),
        ("advertising", _("Advertising"), None),
        ("cold_visit", _("Cold visit"), None),
        ("other", _("Other"), None),
    ],
    "industry": [
        ("it", _("IT and software"), None),
        ("manufacturing", _("Manufacturing"), None),
        ("retail", _("Retail and wholesale"), None),
        ("finance", _("Finance and insurance"), None),
        ("education", _("Education"), None),
        ("healthcare", _("Healthcare"), None),
        ("construction", _("Construction and real estate"), None),
        ("logistics", _("Logistics"), None),
        ("government", _("Government and public sector"), None),
        ("other", _("Other"), None),
    ],
    "contact_category": [
        ("decision_maker", _("Decision maker"), None),
        ("influencer", _("Influencer"), None),
        ("user", _("User"), None),
        ("finance", _("Finance contact"), None),
        ("other", _("Other"), None),
    ],
    "activity_type": [
        ("call", _("Phone call"), None),
        ("email", _("E-mail"), None),
        ("visit", _("Visit"), None),
        ("online", _("Online chat"), None),
        ("other", _("Other"), None),
    ],
    "opportunity_stage": [
        ("initial", _("Initial contact"), 10),
        ("needs", _("Needs confirmed"), 30),
        ("proposal", _("Proposal and quote"), 50),
        ("negotiation", _("Negotiation"), 70),
        ("commitment", _("Verbal commitment"), 90),
    ],
    "payment_method": [
        ("bank_transfer", _("Bank transfer"), None),
        ("cash", _("Cash"), None),
        ("cheque", _("Cheque"), None),
        ("alipay", _("Alipay"), None),
        ("wechat", _("WeChat Pay"), None),
        ("other", _("Other"), None),
    ],
    "invoice_type": [
        ("vat_special", _("VAT special invoice"), None),
        ("vat_ordinary", _("VAT ordinary invoice"), None),
        ("receipt", _("Receipt"), None),
    ],
    "complaint_type": [
        ("quality", _("Product quality"), None),
        ("service", _("Service attitude"), None),
        ("delivery", _("Delivery and logistics"), None),
        ("billing", _("Billing"), None),
        ("other", _("Other"), None),
    ],
}

# Kinds whose options carry a default probability (percent).
KINDS_WITH_PROBABILITY = {"opportunity_stage"}


def default_label(kind: str, code: str):
    for option_code, label, _probability in DEFAULTS.get(kind, []):
        if option_code == code:
            return label
    return code
