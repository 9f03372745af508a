"""召回 (recalls): a merchant, a lab or a regulator recalls a lot or a list of serials; buyers are told, unsold
items leave stock, and every scan page of the lot shows the recall (docs/recalls.md)."""
