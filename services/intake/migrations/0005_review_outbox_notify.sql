-- Wakes the relay to review at once when a case is queued for it.
CREATE FUNCTION intake.notify_review_outbox() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM pg_notify('review_outbox', NEW.id::text);
  RETURN NEW;
END
$$;

CREATE TRIGGER notify AFTER INSERT ON intake.review_outbox
  FOR EACH ROW EXECUTE FUNCTION intake.notify_review_outbox();
