"""Evidence media (溯源相册): files stored once by SHA-256, validated, stripped, thumbnailed, in the ledger."""
