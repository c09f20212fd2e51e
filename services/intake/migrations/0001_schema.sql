-- The intake service's schema, created by the migrations runner; it owns:
-- calls, organisations and accounts, case drafts, resumable uploads, submissions and receipts.
COMMENT ON SCHEMA intake IS 'casecall intake: calls, organisations and accounts, case drafts, resumable uploads, submissions and receipts';
