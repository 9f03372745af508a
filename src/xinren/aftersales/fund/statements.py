"""What the fund signs into the ledger: each payout and each recovery, signed by the platform that decided it.

A statement names the consumer only by pseudonym (`consumer_public_id`), the merchant as "org:<id>", the claim by
its after-sales reference, and the provider's transfer by its id: never a phone number, a name or an order number.
"""

from __future__ import annotations

from xinren.accounts.choices import OrganizationKind
from xinren.attest.registry import NONEMPTY, ORGANIZATION, statement_type

PLATFORM = [OrganizationKind.PLATFORM]
INSURER = [OrganizationKind.INSURER]
AMOUNT = {"type": "integer", "minimum": 1}
FEN = {"type": "integer", "minimum": 0}

FUND_PAYOUT = statement_type(
    name="fund.payout", context="aftersales",
    summary="The advance-compensation fund paid a consumer (by pseudonym) first for a claim against a merchant, "
            "through the payment provider's transfer; the platform recovers it from the merchant later.",
    signers=PLATFORM,
    properties={
        "claim": NONEMPTY, "consumer": NONEMPTY, "merchant": ORGANIZATION, "amount_fen": AMOUNT,
        "reason": NONEMPTY, "transfer": NONEMPTY,
    },
    required=["claim", "consumer", "merchant", "amount_fen", "reason", "transfer"],
).name
FUND_RECOVERY = statement_type(
    name="fund.recovery", context="aftersales",
    summary="The fund recovered what it paid first for a claim from the merchant: from its deposit first, then "
            "from its settlements (a provider profit-sharing deduction).",
    signers=PLATFORM,
    properties={
        "claim": NONEMPTY, "merchant": ORGANIZATION, "amount_fen": AMOUNT, "from_deposit_fen": FEN,
        "from_settlements_fen": FEN, "transfer": {"type": "string"},
    },
    required=["claim", "merchant", "amount_fen", "from_deposit_fen", "from_settlements_fen"],
).name
INSURANCE_PAYOUT = statement_type(
    name="insurance.payout", context="aftersales",
    summary="An insurer paid a consumer (by pseudonym) under one of its policies (正品险 / 品质险) for a claim against "
            "a merchant it covers, through the payment provider; signed by the insurer. `basis` says how the "
            "amount was reached (multiple of the price, statutory floor, loss, shipping, set amount).",
    signers=INSURER,
    properties={
        "claim": NONEMPTY, "policy": NONEMPTY, "policy_kind": {"enum": ["authentic", "quality"]},
        "consumer": NONEMPTY, "merchant": ORGANIZATION, "insurer": ORGANIZATION, "amount_fen": AMOUNT,
        "basis": NONEMPTY, "transfer": NONEMPTY,
    },
    required=["claim", "policy", "policy_kind", "consumer", "merchant", "insurer", "amount_fen", "basis",
              "transfer"],
).name
