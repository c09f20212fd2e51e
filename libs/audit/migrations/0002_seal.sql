-- Appending no longer waits for the chain. Until now the insert trigger locked the stream's
-- head and chained the row at once, so every audited transaction of a stream held that lock
-- until its commit had reached the disk: on a busy stream (all of intake's case creations)
-- writers queued one commit at a time.
--
-- Now an insert only stamps the row (its time, an id from a sequence) and leaves it unsealed
-- (seq, prev_hash and hash NULL). audit.seal(stream) chains the stream's committed unsealed
-- rows in id order, a batch at a time, under the head's lock; the services run it in the
-- background within a second of a commit, and audit verification runs it first. A row that
-- commits after a row with a larger id was sealed is sealed in the next batch: seq is the
-- order of sealing, never chosen by a writer. Sealing is the only change the append-only
-- trigger lets through, and only the owner (through this function) may make it.
ALTER TABLE audit.events DROP CONSTRAINT events_pkey;
ALTER TABLE audit.events ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE audit.events ADD CONSTRAINT events_pkey PRIMARY KEY (id);
ALTER TABLE audit.events ALTER COLUMN seq DROP NOT NULL;
ALTER TABLE audit.events ALTER COLUMN prev_hash DROP NOT NULL;
ALTER TABLE audit.events ALTER COLUMN hash DROP NOT NULL;
ALTER TABLE audit.events ADD CONSTRAINT events_stream_seq UNIQUE (stream, seq);
ALTER TABLE audit.events ADD CONSTRAINT sealed_whole
  CHECK ((seq IS NULL) = (hash IS NULL) AND (hash IS NULL) = (prev_hash IS NULL));
CREATE INDEX events_unsealed ON audit.events (stream, id) WHERE hash IS NULL;

-- The insert trigger: the writer chooses neither the time nor the place in the chain.
CREATE FUNCTION audit.stamp() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  NEW.at := date_trunc('microseconds', clock_timestamp());
  NEW.seq := NULL;
  NEW.prev_hash := NULL;
  NEW.hash := NULL;
  RETURN NEW;
END
$$;

DROP TRIGGER chain ON audit.events;
DROP FUNCTION audit.chain();
CREATE TRIGGER stamp BEFORE INSERT ON audit.events
  FOR EACH ROW EXECUTE FUNCTION audit.stamp();

-- Seals up to p_limit unsealed rows of the stream; returns how many, and NOTIFYs audit_sealed
-- (only the sealer's transaction waits for NOTIFY's commit lock). Returns 0 at once when
-- another session is sealing the stream (several replicas share the work).
CREATE FUNCTION audit.seal(p_stream text, p_limit integer DEFAULT 5000) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, audit
AS $$
DECLARE
  head audit.heads;
  e audit.events;
  sealed integer := 0;
BEGIN
  INSERT INTO audit.heads (stream, seq, hash)
  VALUES (p_stream, 0, decode(repeat('00', 32), 'hex'))
  ON CONFLICT (stream) DO NOTHING;
  SELECT * INTO head FROM audit.heads WHERE stream = p_stream FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    RETURN 0;
  END IF;
  FOR e IN SELECT * FROM audit.events WHERE stream = p_stream AND hash IS NULL ORDER BY id LIMIT p_limit LOOP
    e.seq := head.seq + 1;
    e.prev_hash := head.hash;
    e.hash := sha256(head.hash || convert_to(audit.canonical(e), 'UTF8'));
    UPDATE audit.events SET seq = e.seq, prev_hash = e.prev_hash, hash = e.hash WHERE id = e.id;
    head.seq := e.seq;
    head.hash := e.hash;
    sealed := sealed + 1;
  END LOOP;
  IF sealed > 0 THEN
    UPDATE audit.heads SET seq = head.seq, hash = head.hash WHERE stream = p_stream;
    PERFORM pg_notify('audit_sealed', p_stream);
  END IF;
  RETURN sealed;
END
$$;

-- Every stream with unsealed rows, sealed in full; returns the number of rows sealed.
CREATE FUNCTION audit.seal_all() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, audit
AS $$
DECLARE
  s text;
  n integer;
  total bigint := 0;
BEGIN
  FOR s IN SELECT DISTINCT stream FROM audit.events WHERE hash IS NULL LOOP
    LOOP
      n := audit.seal(s);
      total := total + n;
      EXIT WHEN n < 5000;
    END LOOP;
  END LOOP;
  RETURN total;
END
$$;

-- Append-only, but for sealing: an unsealed row may get its seq and hashes, nothing else.
CREATE FUNCTION audit.refuse_change_but_sealing() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND NEW.hash IS NOT NULL
     AND to_jsonb(OLD) - 'seq' - 'prev_hash' - 'hash' = to_jsonb(NEW) - 'seq' - 'prev_hash' - 'hash' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit.events is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;

DROP TRIGGER append_only ON audit.events;
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON audit.events
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_change_but_sealing();

-- audit.seal and audit.seal_all keep PostgreSQL's default EXECUTE for everyone: only roles with
-- USAGE on the schema (the services) reach them, and sealing chooses nothing.
