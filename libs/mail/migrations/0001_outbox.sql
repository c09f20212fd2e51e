-- Mail waiting to go, and mail gone. A row is written in the same transaction as the change
-- that causes it (a registration, an invitation), so a mail is never promised and lost; the
-- sender marks it sent only after the SMTP server has accepted it, and then empties its body,
-- which may hold a single-use link.
COMMENT ON SCHEMA mail IS 'casecall mail: the outbox of every mail the services send';

CREATE TABLE mail.outbox (
  id              bigserial   PRIMARY KEY,
  created_at      timestamptz NOT NULL DEFAULT now(),
  kind            text        NOT NULL,
  language        text        NOT NULL,
  to_address      text        NOT NULL,
  to_name         text,
  subject         text        NOT NULL,
  body            text        NOT NULL,
  request_id      text,
  attempts        integer     NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  sent_at         timestamptz
);
CREATE INDEX outbox_due ON mail.outbox (next_attempt_at) WHERE sent_at IS NULL;

-- Wakes a waiting sender at once instead of at its next poll.
CREATE FUNCTION mail.notify_outbox() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM pg_notify('mail_outbox', NEW.id::text);
  RETURN NEW;
END
$$;

CREATE TRIGGER notify AFTER INSERT ON mail.outbox
  FOR EACH ROW EXECUTE FUNCTION mail.notify_outbox();
