"""Error codes of the guarantee programmes (the stable contract; messages are translated)."""

PROGRAMME_NOT_FOUND = "programme.not_found"
TERMS_INVALID = "programme.terms_invalid"
SLUG_TAKEN = "programme.slug_taken"
NOT_ELIGIBLE = "programme.not_eligible"
ALREADY_MEMBER = "programme.already_member"
NOT_MEMBER = "programme.not_member"
RETIRED = "programme.retired"
