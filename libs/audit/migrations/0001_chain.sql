-- The audit log: append-only, one hash chain per stream ("intake", later "review:call:<id>"),
-- so that writers to different streams never wait for each other. Each row carries the
-- SHA-256 of the row before it in its stream and its own hash:
--   hash = sha256(prev_hash || convert_to(audit.canonical(row), 'UTF8'))
-- The first row of a stream follows 32 zero bytes. Services may INSERT and SELECT; the
-- trigger fills in seq, at, prev_hash and hash, so no writer can choose them.
COMMENT ON SCHEMA audit IS 'casecall audit log: append-only, hash-chained per stream';

CREATE TABLE audit.events (
  stream         text        NOT NULL CHECK (stream ~ '^[a-z][a-z0-9_.:-]{0,127}$'),
  seq            bigint      NOT NULL CHECK (seq > 0),
  at             timestamptz NOT NULL,
  actor_kind     text        NOT NULL CHECK (actor_kind IN ('user', 'api_token', 'service', 'anonymous', 'system')),
  actor_id       text,
  action         text        NOT NULL CHECK (action ~ '^[a-z][a-z0-9_.]{0,127}$'),
  object_type    text,
  object_id      text,
  request_id     text,
  client_address text,
  before_digest  text        CHECK (before_digest ~ '^[0-9a-f]{64}$'),
  after_digest   text        CHECK (after_digest ~ '^[0-9a-f]{64}$'),
  detail         jsonb       NOT NULL DEFAULT '{}',
  prev_hash      bytea       NOT NULL CHECK (length(prev_hash) = 32),
  hash           bytea       NOT NULL CHECK (length(hash) = 32),
  PRIMARY KEY (stream, seq)
);
CREATE INDEX events_object ON audit.events (object_type, object_id);
CREATE INDEX events_at ON audit.events (at);

CREATE TABLE audit.heads (
  stream text   PRIMARY KEY,
  seq    bigint NOT NULL,
  hash   bytea  NOT NULL
);

-- What a row's hash covers, as text: every column but prev_hash and hash, in a fixed order.
CREATE FUNCTION audit.canonical(e audit.events) RETURNS text
LANGUAGE sql STABLE
AS $$
  SELECT jsonb_build_array(
    e.stream, e.seq, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    e.actor_kind, e.actor_id, e.action, e.object_type, e.object_id, e.request_id,
    e.client_address, e.before_digest, e.after_digest, e.detail)::text
$$;

CREATE FUNCTION audit.chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, audit
AS $$
DECLARE
  head audit.heads;
BEGIN
  INSERT INTO audit.heads (stream, seq, hash)
  VALUES (NEW.stream, 0, decode(repeat('00', 32), 'hex'))
  ON CONFLICT (stream) DO NOTHING;
  -- Waits for any other writer of this stream; under REPEATABLE READ a concurrent append
  -- is a serialization failure, which the caller retries.
  SELECT * INTO head FROM audit.heads WHERE stream = NEW.stream FOR UPDATE;
  NEW.seq := head.seq + 1;
  NEW.at := date_trunc('microseconds', clock_timestamp());
  NEW.prev_hash := head.hash;
  NEW.hash := sha256(head.hash || convert_to(audit.canonical(NEW), 'UTF8'));
  UPDATE audit.heads SET seq = NEW.seq, hash = NEW.hash WHERE stream = NEW.stream;
  RETURN NEW;
END
$$;

CREATE TRIGGER chain BEFORE INSERT ON audit.events
  FOR EACH ROW EXECUTE FUNCTION audit.chain();

-- Rights already keep the services out; this keeps the owner out too, short of disabling it.
CREATE FUNCTION audit.refuse_change() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  RAISE EXCEPTION 'audit.events is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON audit.events
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER no_truncate BEFORE TRUNCATE ON audit.events
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
