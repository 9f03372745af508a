"""The advance-compensation fund (先行赔付基金): a double-entry ledger in integer fen whose money moves only through
the payment provider (docs/fund.md, ADR 0029-fund-double-entry-ledger)."""
